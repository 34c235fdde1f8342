# Trading Manager API against a server (DATABASE_URL). Used by docker-compose's "app" profile.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "bin/tm.js", "serve"]
