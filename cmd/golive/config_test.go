package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testBotToken = "xoxb-1111-2222-abcdefSECRETbot"
	testAppToken = "xapp-1-A111-2222-abcdefSECRETapp"
	testSigning  = "8f742231b10e8888abcd99yyyzzz85a5"
)

func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := LoadConfig(env(nil))
	require.NoError(t, err)
	assert.Equal(t, ModeConsole, c.Mode(), "without credentials the console stands in for Slack")
	assert.Equal(t, "127.0.0.1:8080", c.ConsoleAddr, "the console listens on loopback only")
	assert.Equal(t, c.ConsoleAddr, c.ListenAddr())
	assert.Equal(t, "./golive.db", c.DB)
	assert.Equal(t, ":8080", c.Addr)
	assert.Equal(t, "UTC", c.Timezone)
	assert.Equal(t, ClockTime{Hour: 9}, c.ReminderTime)
	assert.Equal(t, "json", c.LogFormat)
	assert.Equal(t, slog.LevelInfo, c.LogLevel)
	assert.Empty(t, c.SlackAPIURL)
}

func TestLoadConfigValid(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"http mode", map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning},
			func(t *testing.T, c Config) {
				assert.Equal(t, ModeHTTP, c.Mode())
				assert.Equal(t, testBotToken, c.BotToken.Reveal())
				assert.Equal(t, testSigning, c.SigningSecret.Reveal())
			}},
		{"socket mode", map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_APP_TOKEN": testAppToken},
			func(t *testing.T, c Config) {
				assert.Equal(t, ModeSocket, c.Mode())
				assert.Equal(t, testAppToken, c.AppToken.Reveal())
			}},
		{"console off without credentials", map[string]string{"GOLIVE_CONSOLE": "off"},
			func(t *testing.T, c Config) {
				assert.Equal(t, ModeOffline, c.Mode())
				assert.Equal(t, ":8080", c.ListenAddr())
			}},
		{"credentials switch the console off", map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning},
			func(t *testing.T, c Config) { assert.False(t, c.Console) }},
		{"console on with credentials", map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning,
			"GOLIVE_CONSOLE": "on", "GOLIVE_CONSOLE_ADDR": "127.0.0.1:9999"},
			func(t *testing.T, c Config) {
				assert.Equal(t, ModeConsole, c.Mode())
				assert.Equal(t, "127.0.0.1:9999", c.ListenAddr())
			}},
		{"socket mode with signing secret", map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_APP_TOKEN": testAppToken, "SLACK_SIGNING_SECRET": testSigning},
			func(t *testing.T, c Config) { assert.Equal(t, ModeSocket, c.Mode()) }},
		{"spaces around values are trimmed", map[string]string{"SLACK_BOT_TOKEN": " " + testBotToken + "\n", "SLACK_SIGNING_SECRET": testSigning, "GOLIVE_DB": " /data/golive.db "},
			func(t *testing.T, c Config) {
				assert.Equal(t, testBotToken, c.BotToken.Reveal())
				assert.Equal(t, "/data/golive.db", c.DB)
			}},
		{"api url gets its trailing slash", map[string]string{"SLACK_API_URL": "http://127.0.0.1:9999/api"},
			func(t *testing.T, c Config) { assert.Equal(t, "http://127.0.0.1:9999/api/", c.SlackAPIURL) }},
		{"api url with slash kept", map[string]string{"SLACK_API_URL": "https://slack.com/api/"},
			func(t *testing.T, c Config) { assert.Equal(t, "https://slack.com/api/", c.SlackAPIURL) }},
		{"address with host", map[string]string{"GOLIVE_ADDR": "127.0.0.1:0"},
			func(t *testing.T, c Config) { assert.Equal(t, "127.0.0.1:0", c.Addr) }},
		{"time zone", map[string]string{"GOLIVE_TIMEZONE": "Asia/Kathmandu"},
			func(t *testing.T, c Config) {
				assert.Equal(t, "Asia/Kathmandu", c.Timezone)
			}},
		{"reminder time", map[string]string{"GOLIVE_REMINDER_TIME": "17:30"},
			func(t *testing.T, c Config) { assert.Equal(t, ClockTime{17, 30}, c.ReminderTime) }},
		{"reminder time with one-digit hour", map[string]string{"GOLIVE_REMINDER_TIME": "8:05"},
			func(t *testing.T, c Config) { assert.Equal(t, "08:05", c.ReminderTime.String()) }},
		{"midnight", map[string]string{"GOLIVE_REMINDER_TIME": "00:00"},
			func(t *testing.T, c Config) { assert.Equal(t, ClockTime{}, c.ReminderTime) }},
		{"text logs at debug", map[string]string{"GOLIVE_LOG_FORMAT": "TEXT", "GOLIVE_LOG_LEVEL": "Debug"},
			func(t *testing.T, c Config) {
				assert.Equal(t, "text", c.LogFormat)
				assert.Equal(t, slog.LevelDebug, c.LogLevel)
			}},
		{"warn level", map[string]string{"GOLIVE_LOG_LEVEL": "warn"},
			func(t *testing.T, c Config) { assert.Equal(t, slog.LevelWarn, c.LogLevel) }},
		{"error level", map[string]string{"GOLIVE_LOG_LEVEL": "error"},
			func(t *testing.T, c Config) { assert.Equal(t, slog.LevelError, c.LogLevel) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(env(tt.env))
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestLoadConfigRefuses(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string // the one line that names the variable
	}{
		{"user token as bot token", map[string]string{"SLACK_BOT_TOKEN": "xoxp-123-secretuser", "SLACK_SIGNING_SECRET": testSigning},
			"SLACK_BOT_TOKEN holds a user token, not one starting with xoxb-: use the Bot User OAuth Token from the app's OAuth & Permissions page"},
		{"app token as bot token", map[string]string{"SLACK_BOT_TOKEN": "xapp-1-secretapp", "SLACK_APP_TOKEN": testAppToken},
			"SLACK_BOT_TOKEN holds an app-level token, not one starting with xoxb-: use the Bot User OAuth Token from the app's OAuth & Permissions page"},
		{"junk bot token", map[string]string{"SLACK_BOT_TOKEN": "hunter2", "SLACK_SIGNING_SECRET": testSigning},
			"SLACK_BOT_TOKEN does not start with xoxb-: use the Bot User OAuth Token from the app's OAuth & Permissions page"},
		{"bot token as app token", map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_APP_TOKEN": "xoxb-secretbot2"},
			"SLACK_APP_TOKEN holds a bot token, not one starting with xapp-: use an App-Level Token with the connections:write scope, from the app's Basic Information page"},
		{"app token alone", map[string]string{"SLACK_APP_TOKEN": testAppToken},
			"SLACK_BOT_TOKEN is not set but SLACK_APP_TOKEN is: Socket Mode needs both (the bot token is on the app's OAuth & Permissions page)"},
		{"signing secret alone", map[string]string{"SLACK_SIGNING_SECRET": testSigning},
			"SLACK_BOT_TOKEN is not set but SLACK_SIGNING_SECRET is: HTTP mode needs both (the bot token is on the app's OAuth & Permissions page)"},
		{"bot token alone", map[string]string{"SLACK_BOT_TOKEN": testBotToken},
			"SLACK_SIGNING_SECRET is not set: HTTP mode (SLACK_BOT_TOKEN without SLACK_APP_TOKEN) needs it to verify Slack's requests; or set SLACK_APP_TOKEN for Socket Mode"},
		{"quoted signing secret", map[string]string{"SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": `"` + testSigning + `"`},
			"SLACK_SIGNING_SECRET contains spaces or quotes: paste only the Signing Secret from the app's Basic Information page"},
		{"api url without scheme", map[string]string{"SLACK_API_URL": "slack.example.com/api"},
			`SLACK_API_URL="slack.example.com/api" is not an http(s) URL: leave it unset for Slack's own (https://slack.com/api/)`},
		{"console neither on nor off", map[string]string{"GOLIVE_CONSOLE": "maybe"},
			`GOLIVE_CONSOLE="maybe" is neither on nor off: write on or off (on runs the local console at GOLIVE_CONSOLE_ADDR instead of talking to Slack)`},
		{"console address without port", map[string]string{"GOLIVE_CONSOLE_ADDR": "localhost"},
			`GOLIVE_CONSOLE_ADDR="localhost" is not a listen address: write host:port or :port, for example :8080`},
		{"address without port", map[string]string{"GOLIVE_ADDR": "8080"},
			`GOLIVE_ADDR="8080" is not a listen address: write host:port or :port, for example :8080`},
		{"address with a bad port", map[string]string{"GOLIVE_ADDR": ":http-alt"},
			`GOLIVE_ADDR=":http-alt" is not a listen address: write host:port or :port, for example :8080`},
		{"address with a port out of range", map[string]string{"GOLIVE_ADDR": ":70000"},
			`GOLIVE_ADDR=":70000" is not a listen address: write host:port or :port, for example :8080`},
		{"unknown time zone", map[string]string{"GOLIVE_TIMEZONE": "Mars/Olympus"},
			`GOLIVE_TIMEZONE="Mars/Olympus" is not a known time zone: use an IANA name such as UTC, Europe/Paris or America/New_York`},
		{"machine-local time zone", map[string]string{"GOLIVE_TIMEZONE": "Local"},
			`GOLIVE_TIMEZONE="Local" is not a known time zone: use an IANA name such as UTC, Europe/Paris or America/New_York`},
		{"reminder time out of range", map[string]string{"GOLIVE_REMINDER_TIME": "24:00"},
			`GOLIVE_REMINDER_TIME="24:00" is not a time of day: write HH:MM on a 24-hour clock, for example 09:00`},
		{"reminder time without minutes", map[string]string{"GOLIVE_REMINDER_TIME": "9"},
			`GOLIVE_REMINDER_TIME="9" is not a time of day: write HH:MM on a 24-hour clock, for example 09:00`},
		{"reminder time with am/pm", map[string]string{"GOLIVE_REMINDER_TIME": "9:00am"},
			`GOLIVE_REMINDER_TIME="9:00am" is not a time of day: write HH:MM on a 24-hour clock, for example 09:00`},
		{"reminder time with sign", map[string]string{"GOLIVE_REMINDER_TIME": "+9:00"},
			`GOLIVE_REMINDER_TIME="+9:00" is not a time of day: write HH:MM on a 24-hour clock, for example 09:00`},
		{"reminder minutes out of range", map[string]string{"GOLIVE_REMINDER_TIME": "09:60"},
			`GOLIVE_REMINDER_TIME="09:60" is not a time of day: write HH:MM on a 24-hour clock, for example 09:00`},
		{"log format", map[string]string{"GOLIVE_LOG_FORMAT": "logfmt"},
			`GOLIVE_LOG_FORMAT="logfmt" is not a log format: write json or text`},
		{"log level", map[string]string{"GOLIVE_LOG_LEVEL": "verbose"},
			`GOLIVE_LOG_LEVEL="verbose" is not a log level: write debug, info, warn or error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(env(tt.env))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
			assertNoSecret(t, err.Error(), tt.env)
		})
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, err := LoadConfig(env(map[string]string{"GOLIVE_TIMEZONE": "Nowhere", "GOLIVE_LOG_LEVEL": "loud"}))
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], "GOLIVE_TIMEZONE="))
	assert.True(t, strings.HasPrefix(lines[1], "GOLIVE_LOG_LEVEL="))
}

// assertNoSecret fails when any token-like value of env appears in s.
func assertNoSecret(t *testing.T, s string, env map[string]string) {
	t.Helper()
	for k, v := range env {
		if strings.HasPrefix(k, "SLACK_") && k != "SLACK_API_URL" {
			assert.NotContains(t, s, strings.TrimSpace(strings.Trim(v, `"`)), "%s leaked", k)
		}
	}
}

func TestSecretIsNeverPrinted(t *testing.T) {
	s := Secret(testBotToken)
	type holder struct {
		Token Secret
		Name  string
	}
	printed := []string{
		fmt.Sprint(s), fmt.Sprintf("%s", s), fmt.Sprintf("%v", s), fmt.Sprintf("%+v", s),
		fmt.Sprintf("%#v", s), fmt.Sprintf("%q", s), fmt.Sprintf("%x", s),
		fmt.Sprintf("%v", holder{s, "n"}), fmt.Sprintf("%+v", holder{s, "n"}), fmt.Sprintf("%#v", holder{s, "n"}),
		fmt.Sprintf("%v", &holder{s, "n"}), fmt.Sprintf("%v", []Secret{s}),
	}
	for _, p := range printed {
		assert.NotContains(t, p, "SECRET", p)
		assert.NotContains(t, p, fmt.Sprintf("%x", testBotToken), p)
	}
	assert.Equal(t, "REDACTED", fmt.Sprint(s))
	assert.Equal(t, `"REDACTED"`, fmt.Sprintf("%#v", s))

	b, err := json.Marshal(holder{s, "n"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Token":"REDACTED","Name":"n"}`, string(b))

	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		slog.New(h(&buf)).Info("start", "token", s, "holder", holder{s, "n"})
		assert.NotContains(t, buf.String(), "SECRET")
		assert.Contains(t, buf.String(), "REDACTED")
	}

	assert.Equal(t, testBotToken, s.Reveal())
	assert.Empty(t, Secret("").String(), "an unset secret prints as empty, so logs show it is missing")
}

func TestConfigLogValueHidesSecrets(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{
		"SLACK_BOT_TOKEN": testBotToken, "SLACK_APP_TOKEN": testAppToken, "SLACK_SIGNING_SECRET": testSigning,
	}))
	require.NoError(t, err)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	out := buf.String()
	assert.NotContains(t, out, "SECRET")
	assert.NotContains(t, out, testSigning)
	assert.Contains(t, out, `"mode":"socket"`)
	assert.Contains(t, out, `"slack_bot_token":"REDACTED"`)
	assert.Contains(t, out, `"db":"./golive.db"`)

	// Printing the whole struct with fmt must not leak either.
	assert.NotContains(t, fmt.Sprintf("%+v", c), "SECRET")
	assert.NotContains(t, fmt.Sprintf("%+v", c), testSigning)
}
