# An image for `faultline test --hosts docker --docker-image <tag>`, for users who have a registry
# (faultline otherwise builds its own from this machine's Node.js, with no download). Build it
# from a checkout after `npm run build`:
#   docker build -t faultline-node:mine . && faultline test --hosts docker --docker-image faultline-node:mine ...
# Bundled nodes run as `/usr/local/bin/node /faultline/dist/<script>` and need no npm packages.
# For a third-party system, start FROM an image holding its program instead and add the same tree.
FROM node:20-bookworm-slim
COPY dist /faultline/dist
RUN echo '{"type":"module"}' > /faultline/package.json
