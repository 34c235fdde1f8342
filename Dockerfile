# Trading Manager (API and web app) against a server (DATABASE_URL). Used by docker-compose's "app" profile.
# Build stage: dev dependencies and the sources; npm ci's prepare script bundles dist/ and builds web/dist.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY web ./web
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# The compiled code reads the migrations from src/db/migrations.
COPY src/db/migrations ./src/db/migrations
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
CMD ["node", "bin/tm.js", "serve"]
