# syntax=docker/dockerfile:1
# Pantau: a release build in the official Swift image, run on Debian slim as a non-root user.
#
#   docker build -t pantau .
#   docker run -p 8080:8080 -v pantau-data:/var/lib/pantau pantau
#
# The first start on an empty database prints a one-time admin password in the log
# (`docker logs`), unless PANTAU_ADMIN_PASSWORD or PANTAU_ADMIN_PASSWORD_FILE is set.
# With PostgreSQL, see deploy/compose.yaml. Settings: README.md ("Configuration") and
# docs/operations.md ("Deploying", "Secrets").

# The toolchain the project is tested with (Swift 6.3.1 on Debian 12).
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---------------------------------------------------------------- build
FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Dependencies first, so that a change in Sources/ does not fetch them again.
COPY Package.* ./
RUN swift package resolve
# Sources and the test folders (the manifest names the test targets; they are not built).
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product pantau --static-swift-stdlib \
    && mkdir -p /staging \
    && bin="$(swift build -c release --show-bin-path)" \
    && cp "$bin/pantau" /staging/ \
    && cp -R "$bin/pantau_PantauWeb.resources" /staging/

# ---------------------------------------------------------------- runtime
FROM ${RUNTIME_IMAGE}
# What the statically linked binary still loads: libcurl (FoundationNetworking, webhook
# deliveries), libxml2 (FoundationXML), libstdc++; zlib and libgcc are part of the base image.
# ca-certificates for HTTPS webhooks and PostgreSQL TLS, tzdata for time zones, curl for the
# health check.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
       ca-certificates tzdata libcurl4 libxml2 libstdc++6 zlib1g curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 pantau \
    && useradd --system --uid 10001 --gid pantau --home-dir /var/lib/pantau --shell /usr/sbin/nologin pantau \
    && install -d -o pantau -g pantau -m 0750 /var/lib/pantau

# The resource bundle (templates, translations, CSS) must sit beside the binary.
COPY --from=build /staging/pantau /usr/local/bin/pantau
COPY --from=build /staging/pantau_PantauWeb.resources /usr/local/bin/pantau_PantauWeb.resources
COPY LICENSE NOTICE /usr/share/doc/pantau/

ENV PANTAU_HOST=0.0.0.0 \
    PANTAU_PORT=8080 \
    PANTAU_DATABASE_URL=sqlite:///var/lib/pantau/pantau.sqlite

USER pantau:pantau
WORKDIR /var/lib/pantau
# The SQLite database and its audit key (pantau.sqlite.audit-key) live here.
VOLUME ["/var/lib/pantau"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PANTAU_PORT:-8080}/health" > /dev/null || exit 1

ENTRYPOINT ["pantau"]
CMD ["serve"]
