package main

import (
	"bytes"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunDispatches(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"version", []string{"version"}, 0, "golive dev (" + runtime.Version() + ", " + runtime.GOOS + "/" + runtime.GOARCH + ")\n", ""},
		{"--version", []string{"--version"}, 0, "golive dev", ""},
		{"help", []string{"help"}, 0, "Usage:\n  golive [serve]", ""},
		{"--help", []string{"--help"}, 0, "golive backup [--db path] DEST", ""},
		{"unknown command", []string{"deploy"}, 2, "", "golive: unknown command \"deploy\"\n\ngolive takes a team"},
		{"a typo", []string{"chek", "file.md"}, 2, "", "golive: unknown command \"chek\": did you mean \"check\"?\n\ngolive takes a team"},
		{"a checklist file", []string{"release.md"}, 2, "", "golive: unknown command \"release.md\": to score a checklist file, run golive check release.md\n"},
		{"a typo of help", []string{"hepl"}, 2, "", "golive: unknown command \"hepl\": did you mean \"help\"?\n"},
		{"serve help", []string{"serve", "--help"}, 0, "usage: golive serve [--addr host:port] [--db path]", ""},
		{"serve with an unknown flag", []string{"--port", "80"}, 2, "", "flag provided but not defined: -port"},
		{"serve with an argument", []string{"serve", "now"}, 2, "", "golive serve: unexpected argument \"now\"\n"},
		{"check a built-in template offline", []string{"check", "--template", "web"}, 1, "NO-GO", ""},
		{"export needs a channel", []string{"export"}, 2, "", "usage: golive export --channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, nil, &stdout, &stderr, env(nil))
			assert.Equal(t, tt.code, code, stderr.String())
			if tt.wantStdout == "" {
				assert.Empty(t, stdout.String())
			} else {
				assert.Contains(t, stdout.String(), tt.wantStdout)
			}
			if tt.wantStderr == "" {
				assert.Empty(t, stderr.String())
			} else {
				assert.Contains(t, stderr.String(), tt.wantStderr)
			}
		})
	}
}

func TestHealthcheck(t *testing.T) {
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
		}
	}))
	defer healthy.Close()
	_, port, err := net.SplitHostPort(healthy.Listener.Addr().String())
	require.NoError(t, err)

	var stdout, stderr bytes.Buffer
	code := run([]string{"healthcheck"}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_ADDR": ":" + port, "GOLIVE_CONSOLE": "off"}))
	assert.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "ok http://127.0.0.1:"+port+"/healthz\n", stdout.String())

	// With the console on (the default without credentials), serve
	// listens on GOLIVE_CONSOLE_ADDR, and the probe follows it.
	stdout.Reset()
	code = run([]string{"healthcheck"}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_ADDR": ":1", "GOLIVE_CONSOLE_ADDR": "127.0.0.1:" + port}))
	assert.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "ok http://127.0.0.1:"+port+"/healthz\n", stdout.String())

	stdout.Reset()
	code = run([]string{"healthcheck", "--url", healthy.URL + "/nothing"}, nil, &stdout, &stderr, env(nil))
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr.String(), "answered 404 Not Found")

	addr := healthy.Listener.Addr().String()
	healthy.Close()
	stderr.Reset()
	code = run([]string{"healthcheck"}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_ADDR": addr, "GOLIVE_CONSOLE": "off"}))
	assert.Equal(t, 1, code)
	assert.Equal(t, "golive healthcheck: nothing listens at http://"+addr+"/healthz (connection refused): is golive serve running, on GOLIVE_ADDR or --url?\n", stderr.String())

	stderr.Reset()
	code = run([]string{"healthcheck"}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_ADDR": "8080", "GOLIVE_CONSOLE": "off"}))
	assert.Equal(t, 2, code)
	assert.Equal(t, "golive healthcheck: GOLIVE_ADDR=\"8080\" is not a listen address: write host:port or :port, for example :8080\n", stderr.String())
}

func TestHealthURL(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"10.0.0.5:8080":  "http://10.0.0.5:8080/healthz",
		"localhost:8081": "http://localhost:8081/healthz",
	} {
		assert.Equal(t, want, healthURL(addr), addr)
	}
}

// subcommands are the commands `golive help` lists, each with the first
// line of its own usage.
var subcommands = map[string]string{
	"serve":       "usage: golive serve [--addr host:port] [--db path]\n",
	"check":       "Usage: golive check [--json] [--list-items] FILE\n",
	"import":      "Usage: golive import --channel C0123ABCD --name NAME",
	"export":      "usage: golive export --channel C0123ABCD",
	"backup":      "usage: golive backup [--db path] DEST\n",
	"healthcheck": "usage: golive healthcheck [--url URL]\n",
	"report":      "usage: golive report --url URL --launch L",
	"rotate-key":  "usage: golive rotate-key [--db path]\n",
	"version":     "usage: golive version\n",
}

func TestEverySubcommandIsListed(t *testing.T) {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
		assert.Regexp(t, `golive \[?`+name+`\b`, usage, "golive help lists %s", name)
	}
	assert.ElementsMatch(t, names, slices.Collect(maps.Keys(subcommands)), "a test below covers every subcommand")
}

// TestSubcommandHelp: `golive help NAME`, `golive NAME --help` and
// `golive NAME -h` all print NAME's own usage on stdout and exit 0.
func TestSubcommandHelp(t *testing.T) {
	for name, first := range subcommands {
		for _, args := range [][]string{{"help", name}, {name, "--help"}, {name, "-h"}, {"--help", name}} {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				var stdout, stderr bytes.Buffer
				code := run(args, nil, &stdout, &stderr, env(nil))
				assert.Equal(t, 0, code, stderr.String())
				assert.True(t, strings.HasPrefix(stdout.String(), first), "got %q", stdout.String())
				assert.NotContains(t, stdout.String(), "Usage:\n  golive [serve]", "not the general help")
				assert.Empty(t, stderr.String())
			})
		}
	}
}

// TestSubcommandsRefuseUnknownFlags: a junk flag is refused with exit
// status 2, the flag named and the command's usage, and nothing run.
func TestSubcommandsRefuseUnknownFlags(t *testing.T) {
	for name, first := range subcommands {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{name, "--x"}, nil, &stdout, &stderr, env(map[string]string{"GOLIVE_DB": filepath.Join(t.TempDir(), "none.db")}))
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout.String())
			assert.True(t, strings.HasPrefix(stderr.String(), "golive "+name+": flag provided but not defined: -x\n"+first), "got %q", stderr.String())
		})
	}
}

func TestVersionRefusesArguments(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"version", "now"}, nil, &stdout, &stderr, env(nil))
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout.String())
	assert.Equal(t, "golive version: unexpected argument \"now\"\nusage: golive version\n"+
		"Prints golive's version, the Go version it was built with, and the platform.\n", stderr.String())
}

func TestHelpRefuses(t *testing.T) {
	for _, args := range [][]string{{"help", "deploy"}, {"help", "check", "export"}} {
		var stdout, stderr bytes.Buffer
		code := run(args, nil, &stdout, &stderr, env(nil))
		assert.Equal(t, 2, code, "%q", args)
		assert.Empty(t, stdout.String())
		assert.Contains(t, stderr.String(), "golive help: ")
		assert.Contains(t, stderr.String(), "Usage:\n  golive [serve]")
	}
}
