package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
)

// A launch's version rises with every change stored, whichever process
// stores it: a second store on the same file sees the first one's changes.
func TestLaunchVersionRisesWithEveryChangeOfAnyProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "golive.db")
	a, err := Open(ctx, path)
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(ctx, path)
	require.NoError(t, err)
	defer b.Close()

	l := fullLaunch("C1")
	require.NoError(t, a.CreateLaunch(ctx, l, "UCREATOR"))
	before, err := a.LaunchVersion(ctx, l.ID)
	require.NoError(t, err)

	_, err = b.Update(ctx, l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		for _, it := range l.Checklist.Items() {
			if !it.Done {
				return l.SetDone("UCREATOR", []int{it.Number}, true, now)
			}
		}
		return nil, nil
	})
	require.NoError(t, err)
	after, err := a.LaunchVersion(ctx, l.ID)
	require.NoError(t, err)
	assert.Greater(t, after, before)

	_, err = a.LaunchVersion(ctx, l.ID+1000)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
}
