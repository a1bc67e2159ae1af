package golive_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// composeFile is the part of a compose file these tests read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build struct {
		Args map[string]string `yaml:"args"`
	} `yaml:"build"`
	// EnvFile is a list of paths or of {path, required}.
	EnvFile     []yaml.Node       `yaml:"env_file"`
	Environment map[string]string `yaml:"environment"`
	// DependsOn is in its long form: service -> {condition}.
	DependsOn yaml.Node `yaml:"depends_on"`
	Ports     []string  `yaml:"ports"`
	Volumes   []string  `yaml:"volumes"`
}

// composeFiles are the compose files of the repository, with the golive
// services of each.
var composeFiles = map[string][]string{
	"docker-compose.yml":          {"golive"},
	"docker-compose.postgres.yml": {"golive1", "golive2", "golive3"},
}

func readComposeFile(t *testing.T, name string) composeFile {
	t.Helper()
	raw, err := os.ReadFile(name)
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal(raw, &c), "%s: build, env_file and environment in their long forms", name)
	for _, svc := range composeFiles[name] {
		require.Contains(t, c.Services, svc, name)
	}
	return c
}

func readCompose(t *testing.T) composeFile { return readComposeFile(t, "docker-compose.yml") }

// TestComposeStartsWithoutDotEnv: .env holds the Slack settings, which a
// first try goes without; a missing .env must not stop `docker compose up`.
func TestComposeStartsWithoutDotEnv(t *testing.T) {
	for name, services := range composeFiles {
		c := readComposeFile(t, name)
		for _, svc := range services {
			t.Run(name+"/"+svc, func(t *testing.T) { checkOptionalDotEnv(t, c.Services[svc]) })
		}
	}
}

func checkOptionalDotEnv(t *testing.T, golive composeService) {
	require.NotEmpty(t, golive.EnvFile, "the Slack settings come from .env")
	for _, entry := range golive.EnvFile {
		var file struct {
			Path     string `yaml:"path"`
			Required *bool  `yaml:"required"`
		}
		if !assert.Equal(t, yaml.MappingNode, entry.Kind, "env_file entry at line %d: a plain path is required to exist; write {path: .env, required: false}", entry.Line) {
			continue
		}
		require.NoError(t, entry.Decode(&file))
		assert.Equal(t, ".env", file.Path)
		if assert.NotNil(t, file.Required, "env_file %s: say required: false", file.Path) {
			assert.False(t, *file.Required, "env_file %s must be optional", file.Path)
		}
	}
}

// TestComposeBuildsTheRealVersion: the image's version comes from the
// VERSION build argument (the build context has no .git to ask), which
// compose takes from the environment, as `make up` sets it.
func TestComposeBuildsTheRealVersion(t *testing.T) {
	for name, services := range composeFiles {
		c := readComposeFile(t, name)
		for _, svc := range services {
			assert.Regexp(t, `^\$\{VERSION(:-[^}]*)?\}$`, c.Services[svc].Build.Args["VERSION"], "%s: %s: build.args.VERSION comes from the environment", name, svc)
		}
	}

	dockerfile, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`(?m)^ARG VERSION\b`), string(dockerfile))
	assert.Regexp(t, regexp.MustCompile(`(?m)^RUN make build-static VERSION=\$VERSION$`), string(dockerfile))

	makefile, err := os.ReadFile("Makefile")
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`(?m)^up:\n\tVERSION=\$\(VERSION\) docker compose up`), string(makefile), "make up passes git describe's version")
}

// TestComposePostgresRunsReplicasBehindAProxy checks what
// docker-compose.postgres.yml promises without a Docker engine to run it:
// PostgreSQL 15, three golive replicas on one database URL that names the
// compose file's PostgreSQL and waits for it to be healthy, and HAProxy
// publishing the port, round robin over exactly those replicas, each
// checked on /readyz.
func TestComposePostgresRunsReplicasBehindAProxy(t *testing.T) {
	const name = "docker-compose.postgres.yml"
	c := readComposeFile(t, name)
	pg := c.Services["postgres"]
	assert.Regexp(t, `^postgres:15(\.|-|$)`, pg.Image, "PostgreSQL 15, the version the tests run on")
	assert.Equal(t, "golive", pg.Environment["POSTGRES_DB"])

	replicas := composeFiles[name]
	url := c.Services[replicas[0]].Environment["GOLIVE_DB"]
	assert.Regexp(t, `^postgres://golive:[^@]+@postgres:5432/golive\?sslmode=disable$`, url, "GOLIVE_DB names the compose file's PostgreSQL")
	for _, svc := range replicas {
		golive := c.Services[svc]
		assert.Equal(t, url, golive.Environment["GOLIVE_DB"], "%s: every replica on one database", svc)
		assert.Equal(t, ":8080", golive.Environment["GOLIVE_ADDR"], svc)
		assert.Empty(t, golive.Ports, "%s: reached through the proxy only", svc)
		var deps map[string]struct {
			Condition string `yaml:"condition"`
		}
		require.NoError(t, golive.DependsOn.Decode(&deps), "%s: depends_on in its long form", svc)
		assert.Equal(t, "service_healthy", deps["postgres"].Condition, "%s starts once PostgreSQL answers", svc)
	}

	proxy := c.Services["proxy"]
	assert.Regexp(t, `^haproxy:`, proxy.Image)
	assert.Contains(t, proxy.Ports, "8080:8080")
	var cfg string
	for _, v := range proxy.Volumes {
		if host, inside, ok := strings.Cut(v, ":"); ok && strings.HasPrefix(inside, "/usr/local/etc/haproxy/haproxy.cfg") {
			cfg = host
		}
	}
	require.NotEmpty(t, cfg, "the proxy mounts its configuration")
	raw, err := os.ReadFile(cfg)
	require.NoError(t, err)
	haproxy := string(raw)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+bind :8080$`), haproxy)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+balance roundrobin$`), haproxy)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+option httpchk GET /readyz$`), haproxy)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+http-check expect status 200$`), haproxy)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s+option redispatch\b`), haproxy, "a request a dead replica refuses goes to another")
	servers := regexp.MustCompile(`(?m)^\s+server (\S+) (\S+):8080 check\b`).FindAllStringSubmatch(haproxy, -1)
	var backends []string
	for _, s := range servers {
		assert.Equal(t, s[1], s[2], "server %s is the service of that name", s[1])
		backends = append(backends, s[2])
	}
	assert.ElementsMatch(t, replicas, backends, "the proxy sends to every replica, and to nothing else")
}
