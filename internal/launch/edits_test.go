package launch_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

func TestEditsNeedTheSectionsOwnerOrTheCreator(t *testing.T) {
	edits := map[string]func(l *launch.Launch, user string) error{
		"add": func(l *launch.Launch, user string) error {
			_, _, err := l.AddItem(user, "Security", "New")
			return err
		},
		"edit": func(l *launch.Launch, user string) error {
			_, _, _, err := l.EditItem(user, 2, "New")
			return err
		},
		"remove": func(l *launch.Launch, user string) error {
			_, _, err := l.RemoveItem(user, 2, "gone", now)
			return err
		},
		"note": func(l *launch.Launch, user string) error {
			_, err := l.AddNote(user, 2, "https://ci.example.com", now)
			return err
		},
		"na": func(l *launch.Launch, user string) error {
			_, _, err := l.SetNA(user, 2, "no WAF in front", now)
			return err
		},
		"due": func(l *launch.Launch, user string) error {
			_, _, err := l.SetDue(user, 2, "2026-11-30", now)
			return err
		},
	}
	tests := []struct {
		user string
		code string
	}{
		{"USEC", ""},  // the section's owner
		{"UBOSS", ""}, // the launch's creator
		{"UOWN", launch.EFORBIDDEN},
		{"UOTHER", launch.EFORBIDDEN},
	}
	for name, edit := range edits {
		for _, tt := range tests {
			l := sample()
			before := *l.Checklist.Sections[0].Groups[0]
			err := edit(l, tt.user)
			assert.Equal(t, tt.code, launch.ErrorCode(err), "%s by %s", name, tt.user)
			if err != nil {
				assert.Contains(t, err.Error(), "Only the owner of Security, <@USEC>, or the launch's creator <@UBOSS>")
				assert.Equal(t, before, *l.Checklist.Sections[0].Groups[0], "a refusal changes nothing")
				assert.Empty(t, l.Removed)
			}
		}
	}
}

func TestAddedItemsGetNumbersNeverGivenBefore(t *testing.T) {
	l := sample()
	_, _, err := l.RemoveItem("UBOSS", 3, "moved to the wiki", now)
	require.NoError(t, err)
	n, events, err := l.AddItem("UBOSS", "documentation", "Runbook in the wiki")
	require.NoError(t, err)
	assert.Equal(t, 4, n, "3 was removed, not reused")
	assert.Equal(t, []launch.Event{{Actor: "UBOSS", Kind: launch.KindAdd, Items: []int{4}, After: "Runbook in the wiki (in Documentation)"}}, events)
	_, _, err = l.RemoveItem("UBOSS", 4, "duplicate", now)
	require.NoError(t, err)
	l.Removed = nil // the high-water mark alone remembers 4
	n, _, err = l.AddItem("UBOSS", "Doc", "Again")
	require.NoError(t, err)
	assert.Equal(t, 5, n)
	assert.Equal(t, 5, l.LastItem)
}

func TestRemovedItemLeavesItsWindowAndCountsNowhere(t *testing.T) {
	l := sample()
	l.Checklist.Sections[0].Signoff = nil
	l.Checklist.Sections[0].Groups[0].Items[1].Parent = 1
	l.Checklist.Sections[0].Groups[0].Items = append(l.Checklist.Sections[0].Groups[0].Items,
		&checklist.Item{Number: 9, Text: "Child of 2", Parent: 2, Depth: 2})
	l.Checklist.Windows = []checklist.Window{{Name: "Launch Day", Section: 0, Group: 0, Items: []int{1, 2, 9}}}
	before := l.Decide(now).Readiness

	gone, events, err := l.RemoveItem("USEC", 2, "  covered by the CDN  ", now)
	require.NoError(t, err)
	assert.Equal(t, launch.RemovedItem{Number: 2, Section: "Security", Text: "WAF configured", By: "USEC", At: now, Reason: "covered by the CDN"}, gone)
	assert.Equal(t, []launch.Event{{Actor: "USEC", Kind: launch.KindRemove, Items: []int{2}, Before: "WAF configured", After: "removed: covered by the CDN"}}, events)
	assert.Nil(t, l.Checklist.Item(2))
	assert.Equal(t, 1, l.Checklist.Item(9).Parent, "its child moves up to its parent")
	assert.Equal(t, []int{1, 9}, l.Checklist.Windows[0].Items)
	assert.Equal(t, before.Total-1, l.Decide(now).Readiness.Total)

	_, _, err = l.RemoveItem("USEC", 2, "again", now)
	assert.Equal(t, launch.ENOTFOUND, launch.ErrorCode(err))
	assert.Contains(t, err.Error(), "Item 2 was removed on 2026-11-25: covered by the CDN")

	_, _, err = l.RemoveItem("USEC", 1, " ", now)
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err), "a reason is required")
}

func TestEditAndNote(t *testing.T) {
	l := sample()
	wasDone, before, events, err := l.EditItem("USEC", 1, "Secrets rotated and revoked")
	require.NoError(t, err)
	assert.True(t, wasDone)
	assert.Equal(t, "Secrets rotated", before)
	assert.Equal(t, launch.Kind("edit-done"), events[0].Kind)
	assert.True(t, l.Checklist.Item(1).Done, "rewording keeps the tick")

	_, _, events, err = l.EditItem("USEC", 1, "Secrets rotated and revoked")
	require.NoError(t, err)
	assert.Empty(t, events, "the same text changes nothing")

	_, _, _, err = l.EditItem("USEC", 2, strings.Repeat("é", launch.MaxItemText+1))
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))

	_, err = l.AddNote("USEC", 2, "https://waf.example.com/rules", now)
	require.NoError(t, err)
	_, err = l.AddNote("USEC", 2, "second", now)
	require.NoError(t, err)
	assert.Equal(t, []checklist.Note{{By: "USEC", At: now, Text: "https://waf.example.com/rules"}, {By: "USEC", At: now, Text: "second"}},
		l.Checklist.Item(2).Notes)
	_, err = l.AddNote("USEC", 2, strings.Repeat("x", launch.MaxNote+1), now)
	assert.Equal(t, launch.EINVALID, launch.ErrorCode(err))
	require.NoError(t, launch.CheckChecklist(l.Checklist))
}
