# Production image of src/ClobApi.
#   docker build -t polysim .
#   docker run --rm -p 5080:5080 -v polysim-data:/data polysim

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the build rules and project files only, so that this layer stays cached
# until a dependency changes. A new project that ClobApi references, or a new Directory.*.props
# under src/, needs its COPY line here.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/MatchingEngine/MatchingEngine.csproj src/MatchingEngine/
COPY src/Accounts/Accounts.csproj src/Accounts/
COPY src/ClobApi/ClobApi.csproj src/ClobApi/
RUN dotnet restore src/ClobApi/ClobApi.csproj

COPY src/ src/
RUN dotnet publish src/ClobApi/ClobApi.csproj -c Release --no-restore -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app

# ASPNETCORE_HTTP_PORTS is emptied so that it does not compete with ASPNETCORE_URLS.
ENV ASPNETCORE_URLS=http://0.0.0.0:5080 \
    ASPNETCORE_HTTP_PORTS="" \
    Polysim__DataDir=/data

# The data directory belongs to the image's non-root user ("app", uid $APP_UID); a named volume
# mounted on it starts with this ownership.
RUN mkdir -p /data && chown "$APP_UID" /data
VOLUME /data

COPY --from=build /app ./

USER $APP_UID
EXPOSE 5080
ENTRYPOINT ["dotnet", "Polysim.ClobApi.dll"]
