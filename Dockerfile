# Trading Manager API against a server (DATABASE_URL). Used by docker-compose's "app" profile.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# The web app is built during npm ci (prepare: vite, a dev dependency); dev dependencies go afterwards.
COPY web ./web
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "bin/tm.js", "serve"]
