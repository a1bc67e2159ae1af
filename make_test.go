package golive_test

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// makeCgo runs `make cgo`, the check before every build, with env added.
func makeCgo(t *testing.T, env ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	cmd := exec.Command("make", "-s", "cgo")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestMakeSaysWhenCgoIsOff: without a C compiler Go turns cgo off, and the
// build then fails on "undefined: sqlite3.Error"; make says why first.
func TestMakeSaysWhenCgoIsOff(t *testing.T) {
	out, err := makeCgo(t, "CGO_ENABLED=0")
	require.Error(t, err)
	assert.Contains(t, out, "golive builds SQLite with cgo, which is off")
	assert.Contains(t, out, "apt-get install build-essential")
}

// TestMakeSaysTheFirstBuildIsSlow: compiling SQLite takes minutes the first
// time, which make says rather than stay silent.
func TestMakeSaysTheFirstBuildIsSlow(t *testing.T) {
	out, err := makeCgo(t, "GOCACHE="+t.TempDir())
	require.NoError(t, err, out)
	assert.Contains(t, out, "First build: compiling SQLite's C code (go-sqlite3) takes a few minutes")
}
