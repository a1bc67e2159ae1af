//go:build faults

package faults

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/golive/golive/store/pgtest"
)

// binary is the golive built for the suite, in a temporary directory.
var binary string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "golive-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "golive")
	build := exec.Command("go", "build", "-o", binary, "github.com/golive/golive/cmd/golive")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "faults: build golive:", err)
		return 1
	}
	// The PostgreSQL cluster of the replicas' tests, if they started one,
	// stops with them.
	code := pgtest.Run(m)
	printSummary(os.Stdout)
	return code
}

// Identities of the fake workspace.
const (
	team          = "T0FAULTS"
	channel       = "C0FAULTS"
	signingSecret = "faults-signing-secret"
	botToken      = "xoxb-faults"
)

// world is what the servers of one run share: the database, the fake
// Slack and the warped clock.
type world struct {
	t       testing.TB
	dir     string
	db      string
	clock   clock
	slack   *fakeSlack
	history bool
	// logs numbers the servers' log files.
	logs atomic.Int64
}

// server is one golive serve process. mu guards the process, replaced at
// each restart while clients look at it.
type server struct {
	w    *world
	name string

	mu     sync.Mutex
	addr   string
	cmd    *exec.Cmd
	exited chan struct{}
	// paused is set while the process is stopped with SIGSTOP: clients
	// leave it alone meanwhile.
	paused atomic.Bool
}

// env is the environment of the golive process name of w: each calls the
// fake Slack at a URL of its own, so that the fake knows who calls.
func (w *world) env(name, addr string) []string {
	history := "off"
	if w.history {
		history = "on"
	}
	return append(os.Environ(),
		"SLACK_BOT_TOKEN="+botToken,
		"SLACK_SIGNING_SECRET="+signingSecret,
		"SLACK_API_URL="+w.slack.apiURL(name),
		"GOLIVE_DB="+w.db,
		"GOLIVE_ADDR="+addr,
		"GOLIVE_CLOCK="+w.clock.String(),
		"GOLIVE_SLACK_HISTORY="+history,
		"GOLIVE_TIMEZONE=UTC",
		"GOLIVE_REMINDER_TIME=09:00",
		"GOLIVE_LOG_LEVEL=info",
	)
}

// freeAddr returns a local address nothing listens on.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer starts golive serve on a free address and waits until it
// answers /healthz.
func (w *world) startServer(name string) *server {
	s := &server{w: w, name: name}
	if err := s.start(); err != nil {
		w.t.Fatal(err)
	}
	return s
}

// start (re)starts s on a new free address and waits until it listens and
// answers /healthz. A restart never reuses the old address: while s was
// down, a parallel test may have been given that port, and its server
// would answer for s. For the same reason, s's own log must say it is
// listening before its /healthz is believed, and a start that lost its
// port between freeAddr and the bind is tried again on another.
func (s *server) start() error {
	var err error
	for range 3 {
		var lost bool
		if lost, err = s.startOnce(freeAddr(s.w.t)); err == nil || !lost {
			return err
		}
	}
	return err
}

// startOnce starts s at addr; lost tells that it exited at start, as a
// server does whose port was taken.
func (s *server) startOnce(addr string) (lost bool, err error) {
	logPath := filepath.Join(s.w.dir, fmt.Sprintf("%s.%d.log", s.name, s.w.logs.Add(1)))
	logFile, err := os.Create(logPath)
	if err != nil {
		return false, err
	}
	cmd := exec.Command(binary, "serve")
	cmd.Env = s.w.env(s.name, addr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return false, fmt.Errorf("start golive: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited, s.addr = cmd, exited, addr
	s.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return true, fmt.Errorf("golive %s exited at start; its log is %s", s.name, logPath)
		default:
		}
		if logged, _ := os.ReadFile(logPath); bytes.Contains(logged, []byte(`"msg":"listening"`)) {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return false, nil
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false, fmt.Errorf("golive %s did not answer /healthz within 20 s; its log is %s", s.name, logPath)
}

// address returns where s's current process listens.
func (s *server) address() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// process returns s's current process and the channel closed when it exits.
func (s *server) process() (*exec.Cmd, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd, s.exited
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	cmd, exited := s.process()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	s.paused.Store(false)
}

// pause stops s with SIGSTOP, as a paused VM or a debugger would: it
// holds what it held (its claims, its connections, the database lock if it
// had it) and does nothing. resume sends SIGCONT.
func (s *server) pause() bool {
	cmd, _ := s.process()
	if !s.alive() || cmd.Process.Signal(syscall.SIGSTOP) != nil {
		return false
	}
	s.paused.Store(true)
	return true
}

func (s *server) resume() {
	cmd, _ := s.process()
	if s.paused.Swap(false) {
		_ = cmd.Process.Signal(syscall.SIGCONT)
	}
}

// stop shuts s down gracefully, as an operator would.
func (s *server) stop() {
	cmd, exited := s.process()
	if !s.alive() {
		return
	}
	s.resume()
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		s.w.t.Errorf("golive %s did not stop within 20 s of SIGTERM; killing it", s.name)
		s.kill()
	}
}

// alive tells whether the process still runs.
func (s *server) alive() bool {
	_, exited := s.process()
	select {
	case <-exited:
		return false
	default:
		return true
	}
}

// importChecklist runs `golive import` on w's database, as an operator
// would while the servers run, killing it with SIGKILL after killAfter
// when that is not 0. It returns the command's output and exit status (-1
// for a kill).
func (w *world) importChecklist(file, name, date, at string, killAfter time.Duration) (string, int) {
	return w.importInto(channel, file, name, date, at, killAfter)
}

// importInto is importChecklist into another channel than the run's.
func (w *world) importInto(channel, file, name, date, at string, killAfter time.Duration) (string, int) {
	cmd := exec.Command(binary, "import", "--team", team, "--channel", channel, "--name", name,
		"--date", date, "--time", at, "--by", creator, file)
	cmd.Env = w.env("import", "127.0.0.1:0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("run golive import: %v", err)
	}
	if killAfter > 0 {
		timer := time.AfterFunc(killAfter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
		defer timer.Stop()
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		w.t.Fatalf("run golive import: %v", err)
	}
	return out.String(), cmd.ProcessState.ExitCode()
}
