# golive image: a static binary on distroless, running as non-root.
# Build: make docker, which passes VERSION from git describe (a plain
# docker build -t golive . builds version "dev"). Needs a Docker engine.

FROM golang:1.26-bookworm AS build
WORKDIR /src
# Modules first, so that code changes do not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# The same target CI runs: it builds bin/golive-static and checks that it is
# static and starts.
RUN make build-static VERSION=$VERSION
# The database directory, owned by the nonroot user (65532) of the final image.
RUN mkdir -p /data && chown 65532:65532 /data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /src/bin/golive-static /golive
COPY --from=build --chown=65532:65532 /data /data
USER nonroot:nonroot
# The image deploys golive: the local console, a try-out on loopback, is
# off (set GOLIVE_CONSOLE=on and GOLIVE_CONSOLE_ADDR to try it in Docker).
ENV GOLIVE_DB=/data/golive.db \
    GOLIVE_ADDR=:8080 \
    GOLIVE_CONSOLE=off
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/golive", "healthcheck"]
ENTRYPOINT ["/golive"]
CMD ["serve"]
