# renkei serve, built with the official Swift image. librdkafka comes from Debian.
FROM swift:6.1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev libsqlite3-dev pkg-config && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product renkei && cp "$(swift build -c release --show-bin-path)/renkei" /usr/local/bin/renkei

FROM swift:6.1-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 libsqlite3-0 curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/renkei /usr/local/bin/renkei
COPY contracts /srv/renkei/contracts
WORKDIR /srv/renkei
EXPOSE 8080
ENTRYPOINT ["renkei", "serve"]
