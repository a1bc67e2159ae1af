package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/launch"
	"github.com/golive/golive/store"
)

// tickAll ticks every item of channel's launch in db, as UDEV.
func tickAll(t *testing.T, db, channel string) {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	require.NoError(t, err)
	defer st.Close()
	l := readLaunch(t, db, channel)
	var all []int
	for _, it := range l.Checklist.Items() {
		all = append(all, it.Number)
	}
	_, err = st.Update(context.Background(), l.ID, func(l *launch.Launch, now time.Time) ([]launch.Event, error) {
		return l.SetDone("UDEV", all, true, now)
	})
	require.NoError(t, err)
}

func TestImportUpdateBringsInANewerChecklist(t *testing.T) {
	db := exportDB(t) // a launch in C1 of team T1
	code, _, errOut := importRun(db, "--channel", "C2", "--name", "Checkout v3", "--date", "2026-12-08", "--by", "UALICE", seed000)
	require.Equal(t, 1, code, errOut)
	tickAll(t, db, "C2")
	before := readLaunch(t, db, "C2")
	items := before.Checklist.Items()
	src, err := os.ReadFile(seed000)
	require.NoError(t, err)
	doc := strings.Replace(string(src), items[0].Text, items[0].Text+" in every region", 1)
	doc = strings.Replace(doc, "- [x] "+items[1].Text+"\n", "", 1)
	doc = strings.Replace(doc, "- [ ] "+items[1].Text+"\n", "", 1)
	doc = strings.Replace(doc, items[2].Text+"\n", items[2].Text+"\n- [ ] Load test at twice the peak\n", 1)
	file := writeFile(t, "v2.md", doc)

	// Only the creator updates.
	code, out, errOut := importRun(db, "--channel", "C2", "--update", file, "--by", "UBOB")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "Only the launch's creator <@UALICE>")

	code, out, errOut = importRun(db, "--channel", "C2", "--update", file)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, "Update of “Checkout v3”: 1 added, 1 removed, 1 reworded, "+strconv.Itoa(len(items)-2)+" unchanged\n")
	assert.Contains(t, out, "- "+strconv.Itoa(items[1].Number)+" [")
	assert.Contains(t, out, "+ "+strconv.Itoa(len(items)+1)+" [")
	assert.Contains(t, out, "      now: "+items[0].Text+" in every region\n")
	assert.Contains(t, errOut, "updated the launch “Checkout v3”")

	after := readLaunch(t, db, "C2")
	assert.True(t, after.Checklist.Item(items[0].Number).Done, "the reworded item keeps its tick")
	assert.False(t, after.Checklist.Item(len(items)+1).Done, "the new item is open")
	require.Len(t, after.Removed, 1)
	assert.Equal(t, launch.RemovedByUpdate, after.Removed[0].Reason)

	ro, err := store.Open(context.Background(), db)
	require.NoError(t, err)
	defer ro.Close()
	audit, err := ro.Audit(context.Background(), after.ID)
	require.NoError(t, err)
	var kinds []launch.Kind
	for _, e := range audit {
		kinds = append(kinds, e.Kind)
	}
	assert.Contains(t, kinds, launch.KindUpdate)
	assert.Contains(t, kinds, launch.KindRemove)

	// The same file again changes nothing.
	code, out, errOut = importRun(db, "--channel", "C2", "--update", file)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, out, ": 0 added, 0 removed, 0 reworded, "+strconv.Itoa(len(items))+" unchanged\n")
	assert.Contains(t, errOut, "nothing changed")
}

func TestImportUpdateNoticeReachesTheChannel(t *testing.T) {
	db := exportDB(t) // a launch in C1 of team T1, by UCREATOR
	file := writeFile(t, "v2.md", "# New\n\n## Security\n- [ ] Keys rotated\n")
	code, _, errOut := importRun(db, "--channel", "C1", "--update", file, "--by", "UCREATOR")
	require.Equal(t, 1, code, errOut)
	posts, _ := pendingPosts(t, db, readLaunch(t, db, "C1").ID)
	require.Len(t, posts, 1)
	assert.Equal(t, launch.PostUpdateNotice, posts[0].Kind)
	var body struct{ Text string }
	require.NoError(t, json.Unmarshal(posts[0].Body, &body))
	assert.Contains(t, body.Text, "<@UCREATOR> updated the checklist of “Checkout v2” from a newer version: 1 added,")

	// The same file again changes nothing, and tells nothing; --update is a
	// switch, so the flags may follow it.
	code, _, errOut = importRun(db, "--channel", "C1", "--update", "--by", "UCREATOR", file)
	require.Equal(t, 1, code, errOut)
	posts, _ = pendingPosts(t, db, readLaunch(t, db, "C1").ID)
	assert.Len(t, posts, 1)
}

func TestImportUpdateRefuses(t *testing.T) {
	db := exportDB(t)
	file := writeFile(t, "v2.md", "# New\n\n## Security\n- [ ] Keys rotated\n")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--channel", "C1", "--update", file, "--name", "X", "--date", "2026-12-09"}, "drop --date, --name"},
		{[]string{"--channel", "C1", "--update", file, "--time", "10:00"}, "drop --time"},
		{[]string{"--channel", "C1", "--update", file, file}, "takes one checklist FILE"},
		{[]string{"--channel", "C1", "--update", "--by", "UCREATOR"}, "takes one checklist FILE"},
		{[]string{"--update", file}, "give --channel with --update"},
		{[]string{"--channel", "C9", "--update", file}, "channel C9 has no active launch to update"},
		{[]string{"--channel", "C1", "--update", writeFile(t, "x.md", "nothing here")}, "x.md"},
		{[]string{"--channel", "C1", "--update", file, "--by", "nobody"}, "is not a user id"},
	}
	for _, tt := range tests {
		code, out, errOut := importRun(db, tt.args...)
		assert.Equal(t, 2, code, "%v: %s", tt.args, errOut)
		assert.Empty(t, out)
		assert.Contains(t, errOut, tt.want, "%v", tt.args)
	}
	ro, err := store.Open(context.Background(), db)
	require.NoError(t, err)
	defer ro.Close()
	audit, err := ro.Audit(context.Background(), readLaunch(t, db, "C1").ID)
	require.NoError(t, err)
	for _, e := range audit {
		assert.NotEqual(t, launch.KindUpdate, e.Kind, "a refusal changes nothing")
	}
}
