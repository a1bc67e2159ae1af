package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// role is the cluster's login role for tests; superuser work goes over the
// socket, which trusts local users.
const role = "golive"

// startAttempts bounds the retries when another process took the free port
// between our pick and the server's bind.
const startAttempts = 3

// A cluster's directory is named dirPrefix + random digits, and ownerFile
// in it holds the pid of the test binary that made it.
const (
	dirPrefix = "golive-pgtest-"
	ownerFile = "owner.pid"
)

// stopTimeout is how long a fast shutdown may take before the server is killed.
const stopTimeout = 30 * time.Second

// cluster is a throwaway PostgreSQL cluster in a temporary directory.
type cluster struct {
	dir  string // data/, the socket and server.log
	port int
	// cred runs the server as the postgres user when we are root, which
	// PostgreSQL refuses to run as.
	cred   *syscall.Credential
	server *exec.Cmd
	exited chan struct{} // closed when server has exited
}

// startCluster creates a cluster with initdb and starts its server.
func startCluster(ctx context.Context) (*cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	removeAbandoned()
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("start PostgreSQL: %w", err)
	}
	c := &cluster{dir: dir, cred: cred}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, errors.Join(fmt.Errorf("start PostgreSQL: %w", err), c.remove())
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, errors.Join(fmt.Errorf("start PostgreSQL: %w", err), c.remove())
		}
	}
	initdb := c.command(ctx, filepath.Join(bin, "initdb"), "-D", c.data(), "-U", "postgres",
		"--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--encoding=UTF8", "--locale=C")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, errors.Join(fmt.Errorf("initdb: %w: %s", err, out), c.remove())
	}
	for attempt := 1; ; attempt++ {
		err = c.start(ctx, filepath.Join(bin, "postgres"))
		if err == nil {
			return c, nil
		}
		if attempt == startAttempts || ctx.Err() != nil {
			return nil, errors.Join(err, c.remove())
		}
	}
}

// removeAbandoned removes the clusters of test binaries that died without
// stopping theirs (a test timeout, a kill): their servers died with them
// (Pdeathsig), their 40 MB directories did not.
func removeAbandoned() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, ownerFile))
		if err != nil {
			continue // being created, or not ours
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || pid <= 0 || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue
		}
		os.RemoveAll(dir)
	}
}

// findBin returns the directory of the newest of Debian's PostgreSQL
// installations, or of initdb on PATH.
func findBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return majorVersion(dirs[i]) > majorVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errNotFound
}

// majorVersion reads the version out of /usr/lib/postgresql/<version>/bin.
func majorVersion(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

// credential returns the postgres user's identity when we run as root,
// and nil otherwise (the server then runs as we do).
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL refuses to run as root and there is no postgres user to run it as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user's uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres user's gid %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// command runs a PostgreSQL program as the cluster's user.
func (c *cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = c.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd
}

// start starts the server on a free port and waits until it accepts
// connections. The server is killed if the test binary dies without
// stopping it, so that none outlives a killed test run.
func (c *cluster) start(ctx context.Context, postgres string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, "server.log")
	log, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	defer log.Close()
	durable := "off"
	if os.Getenv(EnvDurable) == "1" {
		durable = "on"
	}
	// Not tied to ctx: the server runs until stop.
	server := c.command(context.Background(), postgres, "-D", c.data(), "-p", strconv.Itoa(port), "-k", c.dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync="+durable, "-c", "full_page_writes="+durable,
		"-c", "max_connections=300", "-c", "shared_buffers=32MB")
	server.SysProcAttr.Pdeathsig = syscall.SIGKILL
	server.Stdout, server.Stderr = log, log
	if err := server.Start(); err != nil {
		return fmt.Errorf("start PostgreSQL: %w", err)
	}
	c.server, c.port, c.exited = server, port, make(chan struct{})
	go func() {
		server.Wait()
		close(c.exited)
	}()
	for {
		conn, err := pgx.Connect(ctx, c.socketDSN())
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.exited:
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("PostgreSQL exited while starting (%s): %s", server.ProcessState, strings.TrimSpace(string(out)))
		case <-ctx.Done():
			return errors.Join(fmt.Errorf("PostgreSQL did not start: %w", err), c.kill())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// socketDSN reaches the server as its superuser over the Unix socket.
func (c *cluster) socketDSN() string {
	return fmt.Sprintf("host=%s port=%d user=postgres dbname=postgres sslmode=disable", c.dir, c.port)
}

// setUp creates the tests' role with a password and returns a connection
// as that role over TCP, with the URL the test databases are reached at.
func (c *cluster) setUp(ctx context.Context) (*pgx.Conn, url.URL, error) {
	password, err := randomName("")
	if err != nil {
		return nil, url.URL{}, err
	}
	su, err := pgx.Connect(ctx, c.socketDSN())
	if err != nil {
		return nil, url.URL{}, fmt.Errorf("connect to the test cluster: %w", err)
	}
	defer su.Close(ctx)
	// CREATE ROLE takes no parameters; the password is our own hex.
	if _, err := su.Exec(ctx, "CREATE ROLE "+role+" LOGIN CREATEDB PASSWORD '"+password+"'"); err != nil {
		return nil, url.URL{}, fmt.Errorf("create the test role: %w", err)
	}
	base := url.URL{Scheme: "postgres", User: url.UserPassword(role, password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), RawQuery: "sslmode=disable"}
	u := base
	u.Path = "/postgres"
	admin, err := pgx.Connect(ctx, u.String())
	if err != nil {
		return nil, url.URL{}, fmt.Errorf("connect to the test cluster as %s: %w", role, err)
	}
	return admin, base, nil
}

// stop shuts the server down (fast: open connections are closed) and
// removes the cluster's directory.
func (c *cluster) stop() error {
	var err error
	if c.server != nil {
		err = c.server.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(stopTimeout):
			err = errors.Join(err, fmt.Errorf("PostgreSQL did not stop within %s", stopTimeout), c.kill())
		}
	}
	return errors.Join(err, c.remove())
}

// kill stops the server at once.
func (c *cluster) kill() error {
	if err := c.server.Process.Kill(); err != nil {
		return fmt.Errorf("kill PostgreSQL: %w", err)
	}
	<-c.exited
	return nil
}

func (c *cluster) remove() error {
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("remove the test cluster: %w", err)
	}
	return nil
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
