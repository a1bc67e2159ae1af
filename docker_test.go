package golive_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// composeFile is the part of docker-compose.yml these tests read.
type composeFile struct {
	Services map[string]struct {
		Build struct {
			Args map[string]string `yaml:"args"`
		} `yaml:"build"`
		// EnvFile is a list of paths or of {path, required}.
		EnvFile []yaml.Node `yaml:"env_file"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	raw, err := os.ReadFile("docker-compose.yml")
	require.NoError(t, err)
	var c composeFile
	require.NoError(t, yaml.Unmarshal(raw, &c), "docker-compose.yml: build and env_file in their long forms")
	require.Contains(t, c.Services, "golive")
	return c
}

// TestComposeStartsWithoutDotEnv: .env holds the Slack settings, which a
// first try goes without; a missing .env must not stop `docker compose up`.
func TestComposeStartsWithoutDotEnv(t *testing.T) {
	golive := readCompose(t).Services["golive"]
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
	golive := readCompose(t).Services["golive"]
	assert.Regexp(t, `^\$\{VERSION(:-[^}]*)?\}$`, golive.Build.Args["VERSION"], "build.args.VERSION comes from the environment")

	dockerfile, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`(?m)^ARG VERSION\b`), string(dockerfile))
	assert.Regexp(t, regexp.MustCompile(`(?m)^RUN make build-static VERSION=\$VERSION$`), string(dockerfile))

	makefile, err := os.ReadFile("Makefile")
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`(?m)^up:\n\tVERSION=\$\(VERSION\) docker compose up`), string(makefile), "make up passes git describe's version")
}
