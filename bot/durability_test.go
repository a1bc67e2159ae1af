package bot

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With the database's directory deleted, SQLite commits into the unlinked
// file and a restart opens nothing of it: golive must refuse the tick
// rather than acknowledge a change it has lost.
func TestTickRefusedWhenTheDatabaseDirectoryIsDeleted(t *testing.T) {
	h := newHarness(t)
	l := h.newLaunch()
	n := firstItems(l, 1)[0]
	require.NoError(t, os.RemoveAll(filepath.Dir(h.storePath())))

	a := h.command(creator, "tick "+itoa(n))
	require.Equal(t, http.StatusOK, a.Status)
	assert.Equal(t, "ephemeral", a.Answer.ResponseType)
	assert.Contains(t, a.Answer.Text, "nothing was changed")
	assert.NotContains(t, a.Answer.Text, "Ticked")
	assert.Contains(t, h.logs.String(), "no longer exists", "the log says what happened")
}
