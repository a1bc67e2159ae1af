package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// importRun runs `golive import` on the database at db.
func importRun(db string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(append([]string{"import"}, args...), nil, &out, &errOut, env(map[string]string{"GOLIVE_DB": db, "GOLIVE_TIMEZONE": "Europe/Paris"}))
	return code, out.String(), errOut.String()
}

// readLaunch returns the active launch of channel in team T1, nil for none.
func readLaunch(t *testing.T, db, channel string) *launch.Launch {
	t.Helper()
	ro, err := store.OpenReadOnly(context.Background(), db)
	require.NoError(t, err)
	defer ro.Close()
	l, err := ro.LaunchByChannel(context.Background(), "T1", channel)
	if launch.ErrorCode(err) == launch.ENOTFOUND {
		return nil
	}
	require.NoError(t, err)
	return l
}

// pendingPosts returns the posts waiting in the outbox for launch id, and
// how many wait in all.
func pendingPosts(t *testing.T, db string, id int64) ([]store.PostRecord, int) {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	require.NoError(t, err)
	defer st.Close()
	posts, err := st.Posts(context.Background(), id)
	require.NoError(t, err)
	n, err := st.PostsWaiting(context.Background())
	require.NoError(t, err)
	return posts, n
}

func TestImportCreatesTheLaunchAndPrintsTheReport(t *testing.T) {
	db := exportDB(t) // a launch in C1 of team T1
	code, out, errOut := importRun(db, "--channel", "C2", "--name", "Checkout v3", "--date", "2026-12-08", "--time", "14:00", "--by", "UALICE", seed000)
	wantCode, wantOut, _ := check(seed000)
	assert.Equal(t, wantCode, code, errOut)
	assert.Equal(t, 1, code, "seed 000 as written is NO-GO")
	assert.Equal(t, wantOut, out, "the report is golive check's")
	assert.Contains(t, errOut, "started the launch “Checkout v3”")

	l := readLaunch(t, db, "C2")
	require.NotNil(t, l)
	assert.Equal(t, "Checkout v3", l.Name)
	assert.Equal(t, "2026-12-08", l.Date)
	assert.Equal(t, "14:00", l.Time)
	assert.Equal(t, "Europe/Paris", l.Timezone)
	assert.Equal(t, "UALICE", l.Creator)
	assert.Equal(t, "T1", l.TeamID, "the database's only team")
	assert.NotEmpty(t, l.Checklist.Items())

	posts, waiting := pendingPosts(t, db, l.ID)
	require.Len(t, posts, 1)
	assert.Equal(t, 1, waiting)
	assert.Equal(t, fmt.Sprintf("import:%d", l.ID), posts[0].Key)
	assert.Equal(t, "C2", posts[0].Channel)
	var body struct{ Text string }
	require.NoError(t, json.Unmarshal(posts[0].Body, &body))
	assert.Contains(t, body.Text, "<@UALICE> started the launch “Checkout v3” for 2026-12-08 14:00")
}

func TestImportExitsZeroForGo(t *testing.T) {
	db := exportDB(t)
	file := writeFile(t, "ready.md", "# Ready\n\n## Checks\n\n- [x] Backups restore\n- [x] Alerts page someone\n")
	code, out, errOut := importRun(db, "--channel", "C2", "--name", "Ready", "--date", "2026-12-08", "--by", "UBOB", file)
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "GO")
	l := readLaunch(t, db, "C2")
	require.NotNil(t, l)
	assert.Equal(t, "09:00", l.Time, "GOLIVE_REMINDER_TIME's default")
	assert.Equal(t, "UBOB", l.Creator)
}

func TestImportRefuses(t *testing.T) {
	db := exportDB(t)
	empty := filepath.Join(t.TempDir(), "empty.db")
	st, err := store.Open(context.Background(), empty)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	for name, tc := range map[string]struct {
		db   string
		args []string
		want string
	}{
		"a channel with a launch": {db, []string{"--channel", "C1", "--name", "Again", "--date", "2026-12-08", "--by", "UX", seed000}, "This channel already has an active launch"},
		"a date that is no date":  {db, []string{"--channel", "C2", "--name", "X", "--date", "2026-13-01", "--by", "UX", seed000}, "--date:"},
		"a date years away":       {db, []string{"--channel", "C2", "--name", "X", "--date", "2046-01-01", "--by", "UX", seed000}, "too far from today"},
		"a bad time":              {db, []string{"--channel", "C2", "--name", "X", "--date", "2026-12-08", "--time", "25:00", "--by", "UX", seed000}, "--time:"},
		"a name too long":         {db, []string{"--channel", "C2", "--name", strings.Repeat("n", launch.MaxName+1), "--date", "2026-12-08", "--by", "UX", seed000}, "launch name is 101 characters long"},
		"a channel name":          {db, []string{"--channel", "#launches", "--name", "X", "--date", "2026-12-08", "--by", "UX", seed000}, "not a channel id"},
		"a user name":             {db, []string{"--channel", "C2", "--name", "X", "--date", "2026-12-08", "--by", "alice", seed000}, "not a user id"},
		"no file":                 {db, []string{"--channel", "C2", "--name", "X", "--date", "2026-12-08", "--by", "UX", "missing.md"}, "missing.md: no such file"},
		"no name":                 {db, []string{"--channel", "C2", "--date", "2026-12-08", "--by", "UX", seed000}, "give --channel, --name, --date, --by"},
		"no creator":              {db, []string{"--channel", "C2", "--name", "X", "--date", "2026-12-08", seed000}, "give --channel, --name, --date, --by"},
		"no database":             {filepath.Join(t.TempDir(), "nope.db"), []string{"--channel", "C2", "--name", "X", "--date", "2026-12-08", "--by", "UX", seed000}, "does not exist"},
		"no team known":           {empty, []string{"--channel", "C2", "--name", "X", "--date", "2026-12-08", "--by", "UX", seed000}, "--team"},
		"no items": {db, []string{"--channel", "C2", "--name", "X", "--date", "2026-12-08", "--by", "UX",
			writeFile(t, "plain.md", "# Plan\n\n- one\n- two\n")}, "--list-items"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := importRun(tc.db, tc.args...)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			if tc.db == db {
				assert.Nil(t, readLaunch(t, db, "C2"), "nothing created")
				assert.Equal(t, "Checkout v2", readLaunch(t, db, "C1").Name)
			}
		})
	}
	_, waiting := pendingPosts(t, db, 0)
	assert.Zero(t, waiting, "nothing to tell")
}

func TestImportRefusesAnOlderSchema(t *testing.T) {
	db := exportDB(t)
	raw := rawDB(t, db)
	var known int
	require.NoError(t, raw.QueryRow("PRAGMA user_version").Scan(&known))
	_, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", known-1))
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	before := dbFileOf(t, db)

	code, _, errOut := importRun(db, "--channel", "C2", "--name", "X", "--date", "2026-12-08", "--by", "UX", seed000)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "Upgrade the server first")
	assert.Equal(t, before, dbFileOf(t, db), "never migrated under a server")
}

// postsIn returns the chat.postMessage calls made in channel.
func (f *fakeSlack) postsIn(channel string) []url.Values {
	var out []url.Values
	for _, c := range f.api.CallsOf("chat.postMessage") {
		if c.Form.Get("channel") == channel {
			out = append(out, c.Form)
		}
	}
	return out
}

func TestImportedLaunchIsAnnouncedOnce(t *testing.T) {
	// Restored after the servers' own cleanups (they run last in, first out).
	was := deliveryMaxWait
	t.Cleanup(func() { deliveryMaxWait = was })
	deliveryMaxWait = 20 * time.Millisecond
	db := exportDB(t)
	fake := newFakeSlack(t)
	vars := map[string]string{"GOLIVE_DB": db, "SLACK_BOT_TOKEN": testBotToken, "SLACK_SIGNING_SECRET": testSigning, "SLACK_API_URL": fake.URL + "/api/"}
	_, _, stop := startServe(t, vars)

	// While the bot runs.
	code, _, errOut := importRun(db, "--channel", "C2", "--name", "Checkout <v3>", "--date", "2026-12-08", "--by", "UALICE", seed000)
	require.Equal(t, 1, code, errOut)
	require.Eventually(t, func() bool { return len(fake.postsIn("C2")) > 0 }, 10*time.Second, 10*time.Millisecond)
	text := fake.postsIn("C2")[0].Get("text")
	assert.Contains(t, text, "<@UALICE> started the launch “Checkout ‹v3›” for 2026-12-08 09:00 (Europe/Paris)")
	time.Sleep(10 * deliveryMaxWait)
	require.NoError(t, stop())
	assert.Len(t, fake.postsIn("C2"), 1, "posted once")

	// While it is down, then at its next start; a restart posts nothing again.
	code, _, errOut = importRun(db, "--channel", "C3", "--name", "Later", "--date", "2026-12-09", "--by", "UBOB", seed000)
	require.Equal(t, 1, code, errOut)
	assert.Empty(t, fake.postsIn("C3"))
	_, _, stop = startServe(t, vars)
	require.Eventually(t, func() bool { return len(fake.postsIn("C3")) > 0 }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, stop())
	_, _, stop = startServe(t, vars)
	time.Sleep(10 * deliveryMaxWait)
	require.NoError(t, stop())
	assert.Len(t, fake.postsIn("C3"), 1)
	assert.Len(t, fake.postsIn("C2"), 1)
}

// TestImportReadsStandardInput: FILE "-" is standard input, as for check.
func TestImportReadsStandardInput(t *testing.T) {
	db := exportDB(t)
	var out, errOut bytes.Buffer
	stdin := strings.NewReader("# Release\n## Checks\n- [x] Tests pass\n- [ ] Docs updated\n")
	code := run([]string{"import", "--channel", "C3", "--name", "From a pipe", "--date", "2026-12-08", "--by", "UALICE", "-"},
		stdin, &out, &errOut, env(map[string]string{"GOLIVE_DB": db}))
	assert.Equal(t, 1, code, errOut.String())
	assert.Contains(t, errOut.String(), "started the launch “From a pipe”")
	l := readLaunch(t, db, "C3")
	require.NotNil(t, l)
	assert.Len(t, l.Checklist.Items(), 2)

	errOut.Reset()
	code = run([]string{"import", "--channel", "C4", "--name", "Empty", "--date", "2026-12-08", "--by", "UALICE", "-"},
		strings.NewReader(""), &out, &errOut, env(map[string]string{"GOLIVE_DB": db}))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut.String(), "golive import: standard input: the checklist is empty")
}
