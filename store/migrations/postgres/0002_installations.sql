-- golive's installations in Slack workspaces when it is distributed with
-- OAuth (docs/distribution.md): one row per workspace. The tokens are
-- sealed before they reach the store (AES-256-GCM, bound to the team id),
-- so the table holds ciphertext only. A workspace that uninstalled golive
-- keeps its row, without tokens, as the mark that its launches post
-- nothing more until it installs golive again. Instants are Unix
-- milliseconds.
CREATE TABLE installations (
    team_id             TEXT    PRIMARY KEY CHECK (team_id <> ''),
    team_name           TEXT    NOT NULL DEFAULT '',
    enterprise_id       TEXT    NOT NULL DEFAULT '',
    app_id              TEXT    NOT NULL DEFAULT '',
    bot_user_id         TEXT    NOT NULL DEFAULT '',
    scopes              TEXT    NOT NULL DEFAULT '',
    installer           TEXT    NOT NULL DEFAULT '',
    -- sealed is the bot token and the refresh token; empty once uninstalled.
    sealed              BYTEA   NOT NULL,
    -- expires_at is when the bot token expires with token rotation on;
    -- NULL when it does not.
    expires_at          BIGINT,
    -- refresh_claim and refresh_lease_until fence a token refresh: the one
    -- replica holding the lease spends the single-use refresh token.
    refresh_claim       TEXT    NOT NULL DEFAULT '',
    refresh_lease_until BIGINT  NOT NULL DEFAULT 0,
    installed_at        BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    -- uninstalled_at is when Slack said the app was uninstalled or its bot
    -- token revoked; NULL while installed.
    uninstalled_at      BIGINT
);
