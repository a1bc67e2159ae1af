package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/store"
)

// TestMain lets tests run the real program in a child process (to send it
// signals): with GOLIVE_TEST_MAIN set, the test binary is golive.
func TestMain(m *testing.M) {
	if os.Getenv("GOLIVE_TEST_MAIN") == "1" {
		os.Exit(run(strings.Fields(os.Getenv("GOLIVE_TEST_ARGS")), os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// watchWriter writes to logs, and closes listening once they say so.
type watchWriter struct {
	logs      *syncBuffer
	listening chan struct{}
	once      sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	n, err := w.logs.Write(p)
	if strings.Contains(w.logs.String(), `"msg":"listening"`) {
		w.once.Do(func() { close(w.listening) })
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// readyChecks reads a /readyz body: each check's error by name, "" for a
// check that passed.
func readyChecks(t *testing.T, body string) map[string]string {
	t.Helper()
	var r struct {
		Ready  bool `json:"ready"`
		Checks map[string]struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"checks"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &r), body)
	out := map[string]string{}
	all := true
	for name, c := range r.Checks {
		require.Equal(t, c.OK, c.Error == "", "check %s: ok only without an error: %s", name, body)
		out[name] = c.Error
		all = all && c.OK
	}
	require.Equal(t, all, r.Ready, "ready when every check passed: %s", body)
	return out
}

// startServe runs serve on a free local port and returns its base URL, its
// logs, and a function that stops it and returns serve's error.
func startServe(t *testing.T, vars map[string]string) (string, *syncBuffer, func() error) {
	t.Helper()
	if vars["GOLIVE_DB"] == "" {
		vars["GOLIVE_DB"] = filepath.Join(t.TempDir(), "golive.db")
	}
	if vars["GOLIVE_CONSOLE"] == "" && vars["SLACK_BOT_TOKEN"] == "" {
		// Offline unless a test asks for the console.
		vars["GOLIVE_CONSOLE"] = "off"
	}
	cfg, err := LoadConfig(env(vars))
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, ln, slog.New(slog.NewJSONHandler(logs, nil))) }()
	var once sync.Once
	var serveErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			serveErr = <-done
		})
		return serveErr
	}
	t.Cleanup(func() { stop() })
	base := "http://" + ln.Addr().String()
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/livez")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "server did not start; logs:\n%s", logs)
	return base, logs, stop
}

func TestServeWithoutSlack(t *testing.T) {
	db := filepath.Join(t.TempDir(), "golive.db")
	base, logs, stop := startServe(t, map[string]string{"GOLIVE_DB": db})

	for _, path := range []string{"/healthz", "/livez"} {
		code, body := httpGet(t, base+path)
		assert.Equal(t, http.StatusOK, code, path)
		assert.Equal(t, "ok\n", body, path)
	}
	code, body := httpGet(t, base+"/readyz")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, map[string]string{"database": ""}, readyChecks(t, body), "offline readiness checks the database only")

	code, body = httpGet(t, base+"/metrics")
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `golive_build_info{goversion="`)
	assert.Contains(t, body, `golive_reminders_total{result="sent"} 0`)

	code, _ = httpGet(t, base+"/slack/commands")
	assert.Equal(t, http.StatusNotFound, code, "no Slack routes without credentials")

	assert.Contains(t, logs.String(), "Slack is not connected: SLACK_BOT_TOKEN is not set")
	assert.Contains(t, logs.String(), "golive check --template web")

	require.NoError(t, stop())
	assert.Contains(t, logs.String(), `"msg":"database closed"`)
	assert.FileExists(t, db)
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		assert.True(t, strings.HasPrefix(line, "{") && strings.HasSuffix(line, "}"), "every log line is JSON: %s", line)
	}
}

func TestReadinessOfALockedDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "golive.db")
	base, _, stop := startServe(t, map[string]string{"GOLIVE_DB": db})

	// Another process holds the write lock longer than SQLite's busy timeout.
	other, err := sql.Open("sqlite3", "file:"+db+"?_txlock=immediate")
	require.NoError(t, err)
	defer other.Close()
	held, err := other.BeginTx(context.Background(), nil)
	require.NoError(t, err)
	// A commit within the last 5 seconds (the start's own) still proves
	// that writes work; past that the probe must take the lock itself.
	time.Sleep(5 * time.Second)

	code, body := httpGet(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Equal(t, map[string]string{"database": "no answer within 2s: context deadline exceeded"}, readyChecks(t, body),
		"the probe is answered at its deadline, not when SQLite gives up")
	require.Eventually(t, func() bool {
		_, body := httpGet(t, base+"/metrics")
		return strings.Contains(body, "golive_db_busy_errors_total 1\n")
	}, 15*time.Second, 50*time.Millisecond, "the ping that gave up is counted as a busy error")

	require.NoError(t, held.Rollback())
	code, body = httpGet(t, base+"/readyz")
	assert.Equal(t, http.StatusOK, code, body)
	require.NoError(t, stop())
}

// With the database's directory deleted, SQLite goes on committing into the
// unlinked file: readiness must fail at once, not stay 200 while every
// change is lost at the next start.
func TestReadinessWhenTheDatabaseDirectoryIsDeleted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	require.NoError(t, os.Mkdir(dir, 0o755))
	db := filepath.Join(dir, "golive.db")
	base, _, stop := startServe(t, map[string]string{"GOLIVE_DB": db})
	code, body := httpGet(t, base+"/readyz")
	require.Equal(t, http.StatusOK, code, body)

	require.NoError(t, os.RemoveAll(dir))
	code, body = httpGet(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, readyChecks(t, body)["database"], db+" no longer exists")
	require.NoError(t, stop())
}

func TestServeRefusesAnUnusableDatabase(t *testing.T) {
	cfg, err := LoadConfig(env(map[string]string{"GOLIVE_DB": filepath.Join(t.TempDir(), "missing", "dir", "golive.db")}))
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	err = serve(context.Background(), cfg, ln, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "GOLIVE_DB=")
}

// A damaged or empty file where the database should be is refused with
// what to do, rather than served (a damaged page), started empty without a
// word (an empty file), or blamed on the directory (a damaged header).
func TestServeRefusesADamagedOrEmptyDatabase(t *testing.T) {
	for _, tt := range []struct {
		name    string
		content []byte
		want    string
	}{
		{"empty", []byte{}, "is an empty file (0 bytes), not a golive database"},
		{"header", []byte("this is not SQLite, just text where the database should be; long enough to pass for a header"), "is not an SQLite database, or its header is damaged"},
		{"page", damagedDatabase(t), "is damaged"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "golive.db")
			require.NoError(t, os.WriteFile(db, tt.content, 0o600))
			cfg, err := LoadConfig(env(map[string]string{"GOLIVE_DB": db}))
			require.NoError(t, err)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			// Bounded: a golive that starts on the file serves until then.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = serve(ctx, cfg, ln, slog.New(slog.DiscardHandler))
			require.Error(t, err, "golive started on the file")
			assert.Contains(t, err.Error(), db+" "+tt.want)
			assert.Contains(t, err.Error(), "golive backup")
			assert.NotContains(t, err.Error(), "directory exists")
			content, err := os.ReadFile(db)
			require.NoError(t, err)
			assert.Equal(t, tt.content, content, "the file is left as it was")
		})
	}
}

// damagedDatabase returns a golive database whose last pages (tables,
// not the schema SQLite reads at every start) have their headers
// overwritten, as a failing disk might leave them.
func damagedDatabase(t *testing.T) []byte {
	t.Helper()
	db := filepath.Join(t.TempDir(), "golive.db")
	st, err := store.Open(context.Background(), db)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	content, err := os.ReadFile(db)
	require.NoError(t, err)
	const page = 4096
	require.Greater(t, len(content), 4*page)
	for off := len(content) - 3*page; off < len(content); off += page {
		copy(content[off:], bytes.Repeat([]byte{0xA5}, 8))
	}
	return content
}

func TestRunServeRefusesBadConfiguration(t *testing.T) {
	var stderr bytes.Buffer
	code := run([]string{"serve"}, nil, io.Discard, &stderr, env(map[string]string{
		"SLACK_BOT_TOKEN": "xoxp-user-SECRET", "SLACK_SIGNING_SECRET": testSigning,
	}))
	assert.Equal(t, 2, code)
	assert.Equal(t, "golive: SLACK_BOT_TOKEN holds a user token, not one starting with xoxb-: use the Bot User OAuth Token from the app's OAuth & Permissions page\n", stderr.String())
	assert.NotContains(t, stderr.String(), "SECRET")

	stderr.Reset()
	code = run([]string{"serve", "--addr", "nonsense"}, nil, io.Discard, &stderr, env(nil))
	assert.Equal(t, 2, code)
	assert.Equal(t, "golive: GOLIVE_ADDR=\"nonsense\" is not a listen address: write host:port or :port, for example :8080\n", stderr.String(), "flags are checked like the variables they mirror")
}

// child starts golive serve as a child process and waits until it listens.
func child(t *testing.T) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(),
		"GOLIVE_TEST_MAIN=1", "GOLIVE_TEST_ARGS=serve",
		"GOLIVE_ADDR="+addr, "GOLIVE_CONSOLE=off", "GOLIVE_DB="+filepath.Join(t.TempDir(), "golive.db"),
		"SLACK_BOT_TOKEN=", "SLACK_APP_TOKEN=", "SLACK_SIGNING_SECRET=",
	)
	// A writer, not a pipe read by a goroutine of ours: Wait returns once
	// exec has copied all of it, so a test reading the logs after the exit
	// sees the last line (with a pipe, Wait could close it unread).
	logs := &syncBuffer{}
	listening := make(chan struct{})
	cmd.Stderr = &watchWriter{logs: logs, listening: listening}
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill() })
	select {
	case <-listening:
	case <-time.After(20 * time.Second):
		t.Fatalf("golive did not start; logs:\n%s", logs)
	}
	return cmd, addr, logs
}

func exitCode(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

func TestSIGTERMShutsDownGracefully(t *testing.T) {
	cmd, _, logs := child(t)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, exitCode(t, cmd), logs.String())
	out := logs.String()
	assert.Contains(t, out, `"msg":"shutting down; a second signal exits at once","signal":"terminated"`)
	assert.Contains(t, out, `"msg":"http server stopped"`)
	assert.Contains(t, out, `"msg":"database closed"`)
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	cmd, addr, logs := child(t)
	// A request whose headers never end keeps the graceful shutdown waiting
	// (until ReadHeaderTimeout), which the second signal cuts short.
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: golive\r\n"))
	require.NoError(t, err)
	// Connections are accepted in order: once a later one is answered, the
	// server tracks the hanging one, and the shutdown will wait for it.
	code, _ := httpGet(t, "http://"+addr+"/livez")
	require.Equal(t, http.StatusOK, code)

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "shutting down") }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	assert.Equal(t, 1, exitCode(t, cmd), logs.String())
	assert.Contains(t, logs.String(), `"msg":"second signal: exiting without finishing the shutdown","signal":"interrupt"`)
	assert.NotContains(t, logs.String(), "http server stopped")
}
