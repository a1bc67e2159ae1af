package main

import (
	"errors"
	"fmt"
	"github.com/golive/golive/store"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golive/golive/internal/secretbox"
	"github.com/golive/golive/probe"
)

// Config is golive's configuration, read from the environment.
type Config struct {
	BotToken      Secret // SLACK_BOT_TOKEN, xoxb-...
	SigningSecret Secret // SLACK_SIGNING_SECRET, verifies HTTP requests
	AppToken      Secret // SLACK_APP_TOKEN, xapp-..., switches Socket Mode on
	// ClientID, ClientSecret (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET) and
	// EncryptionKey (GOLIVE_ENCRYPTION_KEY) together distribute golive to
	// many workspaces with OAuth, instead of SLACK_BOT_TOKEN's one.
	ClientID      string
	ClientSecret  Secret
	EncryptionKey Secret
	// Keys is EncryptionKey read: the first key seals, all open.
	Keys *secretbox.Keyring
	// SlackAPIURL is the Web API's base URL ending in a slash; "" means Slack's own.
	SlackAPIURL string
	DB          string // GOLIVE_DB, the SQLite file
	Addr        string // GOLIVE_ADDR, where the HTTP server listens
	// Timezone is the IANA name of the default time zone for new launches.
	Timezone     string
	ReminderTime ClockTime // GOLIVE_REMINDER_TIME, local time of the daily countdown
	// SlackHistory (GOLIVE_SLACK_HISTORY=on) says the app was given the
	// history scopes: a post whose outcome is unknown is looked for in
	// the conversation before it is sent again, instead of never again.
	SlackHistory bool
	// Console (GOLIVE_CONSOLE) runs the local console instead of talking
	// to Slack: on by default when no Slack credentials are set.
	Console bool
	// ConsoleAddr (GOLIVE_CONSOLE_ADDR) is where the console listens:
	// loopback unless told otherwise.
	ConsoleAddr string
	LogFormat   string // "json" or "text"
	LogLevel    slog.Level
	// ProbeAllow (GOLIVE_PROBE_ALLOW) is what probes may reach; empty,
	// they do not run.
	ProbeAllow probe.Allow
	// probeAllow is ProbeAllow as written, for the log.
	probeAllow string
	// Clock (GOLIVE_CLOCK, for tests) is a warped clock; nil is the real one.
	Clock *Clock
}

// Mode is how golive talks to Slack.
type Mode string

const (
	// ModeOffline: no Slack credentials; only the HTTP server (health, metrics) runs.
	ModeOffline Mode = "offline"
	// ModeHTTP: Slack posts commands, interactions and events to /slack/*.
	ModeHTTP Mode = "http"
	// ModeSocket: golive opens a WebSocket to Slack; no public URL needed.
	ModeSocket Mode = "socket"
	// ModeConsole: the local console stands in for Slack, on
	// GOLIVE_CONSOLE_ADDR.
	ModeConsole Mode = "console"
)

// Mode tells how the configuration connects to Slack. LoadConfig has already
// refused the incomplete combinations.
func (c Config) Mode() Mode {
	switch {
	case c.Console:
		return ModeConsole
	case c.BotToken == "" && !c.Distributed():
		return ModeOffline
	case c.AppToken != "":
		return ModeSocket
	default:
		return ModeHTTP
	}
}

// Distributed says golive is installed in many workspaces with OAuth
// (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and GOLIVE_ENCRYPTION_KEY), each
// with its own bot token, rather than in one with SLACK_BOT_TOKEN.
func (c Config) Distributed() bool { return c.ClientID != "" }

// LogValue lets the configuration be logged at start without its secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("mode", string(c.Mode())),
		slog.Any("slack_bot_token", c.BotToken),
		slog.Any("slack_signing_secret", c.SigningSecret),
		slog.Any("slack_app_token", c.AppToken),
		slog.String("slack_client_id", c.ClientID),
		slog.Any("slack_client_secret", c.ClientSecret),
		slog.Any("golive_encryption_key", c.EncryptionKey),
		slog.String("slack_api_url", c.SlackAPIURL),
		slog.String("db", store.Redacted(c.DB)),
		slog.String("addr", c.Addr),
		slog.String("timezone", c.Timezone),
		slog.String("reminder_time", c.ReminderTime.String()),
		slog.Bool("slack_history", c.SlackHistory),
		slog.Bool("console", c.Console),
		slog.String("console_addr", c.ConsoleAddr),
		slog.String("log_format", c.LogFormat),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("probe_allow", c.probeAllow),
		slog.String("clock", c.Clock.String()),
	)
}

// ClockTime is a time of day, HH:MM.
type ClockTime struct {
	Hour, Minute int
}

func (t ClockTime) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Defaults for the settings that have one.
const (
	defaultDB           = "./golive.db"
	defaultAddr         = ":8080"
	defaultTimezone     = "UTC"
	defaultReminderTime = "09:00"
	defaultConsoleAddr  = "127.0.0.1:8080"
	defaultLogFormat    = "json"
	defaultLogLevel     = "info"
)

// LoadConfig reads the configuration through getenv (os.Getenv in main). It
// reports every malformed or missing setting, one line each, naming the
// variable and saying what to write instead. Tokens are never echoed.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	var c Config
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	c.BotToken = Secret(get("SLACK_BOT_TOKEN", ""))
	c.SigningSecret = Secret(get("SLACK_SIGNING_SECRET", ""))
	c.AppToken = Secret(get("SLACK_APP_TOKEN", ""))
	check(checkToken("SLACK_BOT_TOKEN", c.BotToken, "xoxb-",
		"use the Bot User OAuth Token from the app's OAuth & Permissions page"))
	check(checkToken("SLACK_APP_TOKEN", c.AppToken, "xapp-",
		"use an App-Level Token with the connections:write scope, from the app's Basic Information page"))
	check(checkSigningSecret(c.SigningSecret))
	c.ClientID = get("SLACK_CLIENT_ID", "")
	c.ClientSecret = Secret(get("SLACK_CLIENT_SECRET", ""))
	c.EncryptionKey = Secret(get("GOLIVE_ENCRYPTION_KEY", ""))
	var err error
	c.Keys, err = checkDistribution(c)
	check(err)
	check(checkCredentials(c))

	c.SlackAPIURL, err = parseAPIURL(get("SLACK_API_URL", ""))
	check(err)
	c.DB = get("GOLIVE_DB", defaultDB)
	c.Addr = get("GOLIVE_ADDR", defaultAddr)
	check(checkAddr("GOLIVE_ADDR", c.Addr))
	c.Timezone = get("GOLIVE_TIMEZONE", defaultTimezone)
	check(checkTimezone(c.Timezone))
	c.ReminderTime, err = parseClockTime(get("GOLIVE_REMINDER_TIME", defaultReminderTime))
	check(err)
	c.SlackHistory, err = parseSwitch("GOLIVE_SLACK_HISTORY", get("GOLIVE_SLACK_HISTORY", "off"),
		"on only once the app has the channels:history, groups:history and im:history scopes")
	check(err)
	// The console is on by default only where it cannot hide a Slack
	// connection: without credentials.
	consoleDefault := "on"
	if c.BotToken != "" || c.Distributed() {
		consoleDefault = "off"
	}
	c.Console, err = parseSwitch("GOLIVE_CONSOLE", get("GOLIVE_CONSOLE", consoleDefault),
		"on runs the local console at GOLIVE_CONSOLE_ADDR instead of talking to Slack")
	check(err)
	c.ConsoleAddr = get("GOLIVE_CONSOLE_ADDR", defaultConsoleAddr)
	check(checkAddr("GOLIVE_CONSOLE_ADDR", c.ConsoleAddr))
	c.LogFormat, err = parseLogFormat(get("GOLIVE_LOG_FORMAT", defaultLogFormat))
	check(err)
	c.LogLevel, err = parseLogLevel(get("GOLIVE_LOG_LEVEL", defaultLogLevel))
	check(err)
	c.Clock, err = parseClock(get("GOLIVE_CLOCK", ""))
	check(err)
	c.probeAllow = get("GOLIVE_PROBE_ALLOW", "")
	c.ProbeAllow, err = probe.ParseAllow(c.probeAllow)
	if err != nil {
		check(fmt.Errorf("GOLIVE_PROBE_ALLOW: %w", err))
	}

	return c, errors.Join(errs...)
}

// ListenAddr is where golive serves: the console's address when the
// console is on, GOLIVE_ADDR otherwise.
func (c Config) ListenAddr() string {
	if c.Mode() == ModeConsole {
		return c.ConsoleAddr
	}
	return c.Addr
}

// tokenKinds names Slack's token prefixes, to say what was pasted instead.
var tokenKinds = map[string]string{
	"xoxb-": "a bot token",
	"xoxp-": "a user token",
	"xapp-": "an app-level token",
	"xoxe-": "a refresh or configuration token",
	"xoxa-": "a workspace app token",
	"xoxs-": "a session token",
}

func checkToken(name string, tok Secret, prefix, hint string) error {
	s := tok.Reveal()
	if s == "" || strings.HasPrefix(s, prefix) {
		return nil
	}
	if kind, ok := tokenKinds[strings.ToLower(s[:min(len(s), 5)])]; ok {
		return fmt.Errorf("%s holds %s, not one starting with %s: %s", name, kind, prefix, hint)
	}
	return fmt.Errorf("%s does not start with %s: %s", name, prefix, hint)
}

func checkSigningSecret(s Secret) error {
	if strings.ContainsAny(s.Reveal(), " \t\r\n\"'") {
		return errors.New("SLACK_SIGNING_SECRET contains spaces or quotes: paste only the Signing Secret from the app's Basic Information page")
	}
	return nil
}

// checkCredentials refuses the combinations that cannot connect: no
// credentials at all is fine (offline), half of them is a mistake.
func checkCredentials(c Config) error {
	switch {
	case c.Distributed() && c.AppToken == "" && c.SigningSecret == "":
		return errors.New("SLACK_SIGNING_SECRET is not set: golive distributed with OAuth serves Slack's requests over HTTP and needs it to verify them (Basic Information page); or set SLACK_APP_TOKEN for Socket Mode")
	case c.Distributed():
		return nil
	case c.BotToken == "" && c.AppToken != "":
		return errors.New("SLACK_BOT_TOKEN is not set but SLACK_APP_TOKEN is: Socket Mode needs both (the bot token is on the app's OAuth & Permissions page)")
	case c.BotToken == "" && c.SigningSecret != "":
		return errors.New("SLACK_BOT_TOKEN is not set but SLACK_SIGNING_SECRET is: HTTP mode needs both (the bot token is on the app's OAuth & Permissions page)")
	case c.BotToken != "" && c.AppToken == "" && c.SigningSecret == "":
		return errors.New("SLACK_SIGNING_SECRET is not set: HTTP mode (SLACK_BOT_TOKEN without SLACK_APP_TOKEN) needs it to verify Slack's requests; or set SLACK_APP_TOKEN for Socket Mode")
	}
	return nil
}

func parseAPIURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("SLACK_API_URL=%q is not an http(s) URL: leave it unset for Slack's own (https://slack.com/api/)", s)
	}
	// slack-go appends the method name to the base URL as it is.
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

func checkAddr(name, addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		var n int
		n, err = strconv.Atoi(port)
		if err == nil && (n < 0 || n > 65535) {
			err = errors.New("port out of range")
		}
	}
	if err != nil {
		return fmt.Errorf("%s=%q is not a listen address: write host:port or :port, for example :8080", name, addr)
	}
	return nil
}

func checkTimezone(name string) error {
	// "Local" depends on the machine; launches need a zone that means the same everywhere.
	if name != "Local" {
		if _, err := time.LoadLocation(name); err == nil {
			return nil
		}
	}
	return fmt.Errorf("GOLIVE_TIMEZONE=%q is not a known time zone: use an IANA name such as UTC, Europe/Paris or America/New_York", name)
}

func parseClockTime(s string) (ClockTime, error) {
	h, m, ok := strings.Cut(s, ":")
	hour, errH := strconv.Atoi(h)
	minute, errM := strconv.Atoi(m)
	if !ok || errH != nil || errM != nil || !isDigits(h) || !isDigits(m) || len(h) > 2 || len(m) != 2 ||
		hour > 23 || minute > 59 {
		return ClockTime{}, fmt.Errorf("GOLIVE_REMINDER_TIME=%q is not a time of day: write HH:MM on a 24-hour clock, for example 09:00", s)
	}
	return ClockTime{Hour: hour, Minute: minute}, nil
}

// parseSwitch reads an on/off setting.
func parseSwitch(name, s, hint string) (bool, error) {
	switch strings.ToLower(s) {
	case "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q is neither on nor off: write on or off (%s)", name, s, hint)
}

func parseLogFormat(s string) (string, error) {
	switch f := strings.ToLower(s); f {
	case "json", "text":
		return f, nil
	}
	return "", fmt.Errorf("GOLIVE_LOG_FORMAT=%q is not a log format: write json or text", s)
}

func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("GOLIVE_LOG_LEVEL=%q is not a log level: write debug, info, warn or error", s)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// checkDistribution reads the OAuth settings: none of them (one workspace,
// or none), or all three; never beside SLACK_BOT_TOKEN, which would leave
// it unclear whose token a request is answered with. It returns the
// encryption keys when they are set.
func checkDistribution(c Config) (*secretbox.Keyring, error) {
	set := map[string]bool{"SLACK_CLIENT_ID": c.ClientID != "", "SLACK_CLIENT_SECRET": c.ClientSecret != "", "GOLIVE_ENCRYPTION_KEY": c.EncryptionKey != ""}
	var missing []string
	for _, name := range []string{"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "GOLIVE_ENCRYPTION_KEY"} {
		if !set[name] {
			missing = append(missing, name)
		}
	}
	switch {
	case len(missing) == 3:
		return nil, nil
	case len(missing) > 0:
		return nil, fmt.Errorf("%s not set: distributing golive to many workspaces needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET (the app's Basic Information page) and GOLIVE_ENCRYPTION_KEY (make one with `openssl rand -base64 32`); unset them all for one workspace with SLACK_BOT_TOKEN", strings.Join(missing, " and "))
	case c.BotToken != "":
		return nil, errors.New("SLACK_BOT_TOKEN is set beside SLACK_CLIENT_ID: golive serves either one workspace with SLACK_BOT_TOKEN or many installed with OAuth, not both. Unset SLACK_BOT_TOKEN to distribute (install in the first workspace again at /slack/install: its launches are kept), or unset SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and GOLIVE_ENCRYPTION_KEY")
	}
	if strings.ContainsAny(c.ClientSecret.Reveal(), " \t\r\n\"'") {
		return nil, errors.New("SLACK_CLIENT_SECRET contains spaces or quotes: paste only the Client Secret from the app's Basic Information page")
	}
	keys, err := secretbox.ParseKeys(c.EncryptionKey.Reveal())
	if err != nil {
		return nil, fmt.Errorf("GOLIVE_ENCRYPTION_KEY: %w", err)
	}
	return keys, nil
}
