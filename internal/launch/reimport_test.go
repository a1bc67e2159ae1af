package launch_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

const reimportDoc = `# Atlas

## 1. Security

### Authentication
- [ ] API keys rotated
- [ ] Admin access behind MFA
- [ ] Passwords hashed with bcrypt

### Network
- [ ] WAF configured

**Sign-off:** _______________  Date: __________

## 2. Documentation
- [ ] Runbook written
- [ ] On-call rota published

**Sign-off:** _______________  Date: __________

## 3. Go/No-Go

**Required for GO (must be 100%):**
- [ ] Security (Section 1)

**Approved by:**
- Security Lead: _______________
- Product Owner: _______________
`

func parseDoc(t *testing.T, doc string) *checklist.Checklist {
	t.Helper()
	c, _, err := checklist.Parse([]byte(doc))
	require.NoError(t, err)
	return c
}

// reimportLaunch is a launch of reimportDoc with ticks, owners and answers.
func reimportLaunch(t *testing.T) *launch.Launch {
	t.Helper()
	l := &launch.Launch{ID: 1, Name: "Atlas", Date: "2026-12-01", Timezone: "Europe/Paris", Creator: "UBOSS",
		Checklist: parseDoc(t, reimportDoc)}
	require.Len(t, l.Checklist.Items(), 6)
	_, err := l.SetDone("UBOSS", []int{1, 2, 5}, true, now)
	require.NoError(t, err)
	_, err = l.SetSectionOwner("UBOSS", "Security", "USEC")
	require.NoError(t, err)
	_, err = l.SetItemOwner("UBOSS", 2, "UDEV")
	require.NoError(t, err)
	_, err = l.SignOff("USEC", "Security", now)
	require.NoError(t, err)
	_, err = l.SignOff("UBOSS", "Documentation", now)
	require.NoError(t, err)
	_, err = l.SetRoleHolder("UBOSS", "Security Lead", "ULEAD")
	require.NoError(t, err)
	_, err = l.Answer("ULEAD", "Security Lead", checklist.VerdictApproved, "", now)
	require.NoError(t, err)
	_, err = l.AddNote("UBOSS", 5, "https://wiki.example.com/runbook", now)
	require.NoError(t, err)
	return l
}

func TestUpdateWithTheSameChecklistChangesNothing(t *testing.T) {
	l := reimportLaunch(t)
	before := fmt.Sprintf("%+v", *l)
	diff, events, err := l.UpdateChecklist("UBOSS", parseDoc(t, reimportDoc), now)
	require.NoError(t, err)
	assert.True(t, diff.Empty(), "%+v", diff)
	assert.Equal(t, 6, diff.Unchanged)
	assert.Empty(t, events)
	assert.Equal(t, before, fmt.Sprintf("%+v", *l))
}

func TestUpdateMatchesRewordedItemsAndNumbersNewOnes(t *testing.T) {
	l := reimportLaunch(t)
	// Item 4 was removed live: its number is never given again.
	_, _, err := l.RemoveItem("UBOSS", 4, "no WAF", now)
	require.NoError(t, err)
	doc := strings.NewReplacer(
		"- [ ] Admin access behind MFA\n", "- [ ] admin access behind MFA.\n", // only case and a full stop
		"- [ ] API keys rotated\n", "- [ ] API keys rotated every 90 days\n", // reworded
		"- [ ] Passwords hashed with bcrypt\n", "- [ ] Backups restored in a drill\n", // another item
		"- [ ] On-call rota published\n", "- [ ] On-call rota published\n- [ ] Status page ready\n",
	).Replace(reimportDoc)
	diff, events, err := l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
	require.NoError(t, err)
	// Added: the backups (not item 3 reworded), WAF again (removed live,
	// so a new item) and the status page; removed: item 3.
	assert.Equal(t, 3, diff.Added, "%+v", diff)
	assert.Equal(t, 1, diff.Removed)
	assert.Equal(t, 1, diff.Reworded)

	keys := l.Checklist.Item(1)
	require.NotNil(t, keys)
	assert.Equal(t, "API keys rotated every 90 days", keys.Text)
	assert.True(t, keys.Done, "a reworded item keeps its tick")
	assert.Equal(t, "UBOSS", keys.DoneBy)
	mfa := l.Checklist.Item(2)
	assert.Equal(t, "Admin access behind MFA", mfa.Text, "the live wording stands when only case or punctuation differ")
	assert.Equal(t, "UDEV", mfa.Owner)
	assert.Nil(t, l.Checklist.Item(3), "a wholly different item is not taken for item 3 reworded")
	assert.Len(t, l.Checklist.Item(5).Notes, 1)

	// WAF configured comes back as a new item: the launch had removed 4.
	var added []int
	for _, c := range diff.Changes {
		if c.Kind == launch.ChangeAdded {
			added = append(added, c.Number)
		}
	}
	assert.Equal(t, []int{7, 8, 9}, added, "new numbers above every number ever given")
	assert.Equal(t, added[len(added)-1], l.LastItem)
	for _, n := range added {
		it := l.Checklist.Item(n)
		require.NotNil(t, it)
		assert.False(t, it.Done, "a new item arrives open")
	}

	var gone []string
	for _, r := range l.Removed {
		gone = append(gone, fmt.Sprintf("%d %s", r.Number, r.Reason))
	}
	assert.Contains(t, gone, "3 "+launch.RemovedByUpdate)
	assert.Equal(t, "USEC", l.Checklist.Sections[0].Owner, "the section keeps its owner")

	kinds := map[launch.Kind]int{}
	for _, e := range events {
		kinds[e.Kind]++
	}
	assert.Equal(t, 1, kinds[launch.KindRemove])
	assert.Equal(t, 1, kinds[launch.KindEditDone], "item 1 was done when reworded")
	assert.Equal(t, diff.Added, kinds[launch.KindAdd])
	require.NoError(t, launch.CheckChecklist(l.Checklist))
}

func TestUpdateRemovesItemsGoneFromTheDocument(t *testing.T) {
	l := reimportLaunch(t)
	doc := strings.Replace(reimportDoc, "- [ ] On-call rota published\n", "", 1)
	diff, events, err := l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
	require.NoError(t, err)
	assert.Equal(t, launch.Diff{Removed: 1, Unchanged: 5,
		Changes:  []launch.Change{{Kind: launch.ChangeRemoved, Section: "Documentation", Number: 6, Before: "On-call rota published"}},
		Signoffs: []string{"Documentation"}, Verdicts: []string{"Security Lead"}}, diff)
	require.Len(t, l.Removed, 1)
	assert.Equal(t, launch.RemovedItem{Number: 6, Section: "Documentation", Text: "On-call rota published", By: "UBOSS", At: now,
		Reason: launch.RemovedByUpdate}, l.Removed[0])
	assert.Nil(t, l.Checklist.Item(6))
	assert.Nil(t, l.Checklist.Sections[1].Signoff, "the sign-off of the section that lost an item is void")
	assert.NotNil(t, l.Checklist.Sections[0].Signoff, "an untouched section keeps its sign-off")
	// Documentation counts towards the overall readiness: the decision
	// rests on it, and the approval of the other checklist goes.
	assert.Equal(t, checklist.VerdictPending, l.Checklist.Role("Security Lead").Verdict)
	assert.Equal(t, "ULEAD", l.Checklist.Role("Security Lead").Holder, "the holder stays")
	var voids []string
	for _, e := range events {
		if e.Is(launch.KindSignoffVoid, launch.KindVerdictVoid) {
			voids = append(voids, string(e.Kind)+" "+e.Subject()+": "+e.Before)
		}
	}
	assert.Equal(t, []string{"signoff-void section Documentation: signed by UBOSS", "verdict-void role Security Lead: approved"}, voids)
}

func TestUpdateOfOtherSectionsKeepsSignoffsAndGatesFollowTheDocument(t *testing.T) {
	l := reimportLaunch(t)
	doc := strings.NewReplacer(
		"**Required for GO (must be 100%):**\n- [ ] Security (Section 1)\n", "**Required for GO (must be 100%):**\n- [ ] Documentation (Section 2)\n",
		"- Product Owner: _______________\n", "- Legal: _______________\n",
	).Replace(reimportDoc)
	diff, events, err := l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
	require.NoError(t, err)
	assert.Zero(t, diff.Added+diff.Removed+diff.Reworded)
	assert.NotEmpty(t, diff.Other)
	assert.NotNil(t, l.Checklist.Sections[0].Signoff)
	assert.NotNil(t, l.Checklist.Sections[1].Signoff)
	assert.Equal(t, []string{"Security Lead"}, diff.Verdicts, "a gate changed: the answers given on the old one go")
	assert.Nil(t, l.Checklist.Role("Product Owner"))
	require.NotNil(t, l.Checklist.Role("Legal"))
	assert.NotEmpty(t, events)
	assert.NotEqual(t, l.Checklist.Gates, parseDoc(t, reimportDoc).Gates)
}

func TestUpdateIsForTheCreator(t *testing.T) {
	l := reimportLaunch(t)
	before := fmt.Sprintf("%+v", *l.Checklist)
	_, events, err := l.UpdateChecklist("USEC", parseDoc(t, strings.Replace(reimportDoc, "Runbook", "Run book", 1)), now)
	assert.Equal(t, launch.EFORBIDDEN, launch.ErrorCode(err))
	assert.Contains(t, err.Error(), "Only the launch's creator <@UBOSS>")
	assert.Empty(t, events)
	assert.Equal(t, before, fmt.Sprintf("%+v", *l.Checklist))
}

// TestUpdateKeepsEveryLiveFieldOfAnItem sets every field of an item that
// the document does not write and checks that a reworded item keeps them
// all: a field added to checklist.Item later is kept without a change here.
func TestUpdateKeepsEveryLiveFieldOfAnItem(t *testing.T) {
	document := map[string]bool{"Text": true, "Priority": true, "Details": true, "Parent": true,
		"Depth": true, "Subgroup": true, "Line": true}
	l := reimportLaunch(t)
	it := l.Checklist.Item(1)
	v := reflect.ValueOf(it).Elem()
	for i := 0; i < v.NumField(); i++ {
		name := v.Type().Field(i).Name
		if document[name] || name == "Number" {
			continue
		}
		fillNonZero(t, name, v.Field(i))
	}
	want := *it
	doc := strings.Replace(reimportDoc, "API keys rotated", "API keys rotated yearly", 1)
	_, _, err := l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
	require.NoError(t, err)
	got := l.Checklist.Item(1)
	require.NotNil(t, got)
	assert.Equal(t, "API keys rotated yearly", got.Text)
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(&want).Elem()
	for i := 0; i < gv.NumField(); i++ {
		name := gv.Type().Field(i).Name
		if !document[name] {
			assert.Equal(t, wv.Field(i).Interface(), gv.Field(i).Interface(), "item field %s", name)
		}
	}
}

// fillNonZero gives a field of an item a value other than its zero.
func fillNonZero(t *testing.T, name string, f reflect.Value) {
	switch f.Kind() {
	case reflect.String:
		f.SetString("U" + strings.ToUpper(name))
	case reflect.Bool:
		f.SetBool(true)
	case reflect.Int, reflect.Int64:
		f.SetInt(7)
	case reflect.Pointer:
		f.Set(reflect.New(f.Type().Elem()))
	case reflect.Slice:
		f.Set(reflect.MakeSlice(f.Type(), 1, 1))
	case reflect.Struct:
		if f.Type() == reflect.TypeOf(time.Time{}) {
			f.Set(reflect.ValueOf(now))
			return
		}
		f.Set(reflect.New(f.Type()).Elem())
	default:
		t.Fatalf("item field %s: kind %s: teach fillNonZero", name, f.Kind())
	}
}

func TestUpdateKeepsOneHundredTicksAndAddsFive(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Big\n\n## Readiness\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "- [ ] Check %d is green\n", i)
	}
	l := &launch.Launch{ID: 1, Name: "Big", Date: "2026-12-01", Timezone: "UTC", Creator: "UBOSS", Checklist: parseDoc(t, b.String())}
	var all []int
	for _, it := range l.Checklist.Items() {
		all = append(all, it.Number)
	}
	_, err := l.SetDone("UDEV", all, true, now)
	require.NoError(t, err)
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, "- [ ] New step %c\n", 'A'+i-1)
	}
	diff, _, err := l.UpdateChecklist("UBOSS", parseDoc(t, b.String()), now.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, "5 added, 0 removed, 0 reworded, 100 unchanged", diff.Summary())
	done := 0
	for _, it := range l.Checklist.Items() {
		if it.Done {
			done++
			assert.Equal(t, now, it.DoneAt)
		}
	}
	assert.Equal(t, 100, done)
	assert.Len(t, l.Checklist.Items(), 105)
	assert.Equal(t, 105, l.LastItem)
}

func TestUpdateDiffDigestFollowsTheLaunch(t *testing.T) {
	doc := strings.Replace(reimportDoc, "Runbook written", "Runbook written and reviewed", 1)
	digest := func(l *launch.Launch) string {
		d, _, err := l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
		require.NoError(t, err)
		return d.Digest()
	}
	assert.Equal(t, digest(reimportLaunch(t)), digest(reimportLaunch(t)), "the same launch, the same diff")
	l := reimportLaunch(t)
	_, _, err := l.RemoveItem("UBOSS", 6, "not needed", now)
	require.NoError(t, err)
	assert.NotEqual(t, digest(reimportLaunch(t)), digest(l), "a launch changed meanwhile, another diff")
}

// TestUpdateOfALargeChecklistIsQuick: 10 000 items in one group, every other
// one reworded, others added and removed: matching stays near linear.
func TestUpdateOfALargeChecklistIsQuick(t *testing.T) {
	var v1, v2 strings.Builder
	v1.WriteString("# Large\n\n## Readiness\n")
	v2.WriteString("# Large\n\n## Readiness\n")
	for i := 1; i <= 10000; i++ {
		fmt.Fprintf(&v1, "- [ ] Service %d has its alerts wired\n", i)
		switch i % 4 {
		case 0:
			fmt.Fprintf(&v2, "- [ ] Service %d has its alerts wired to on-call\n", i)
		case 1:
			fmt.Fprintf(&v2, "- [ ] Service %d has its alerts wired\n", i)
		case 2:
			fmt.Fprintf(&v2, "- [ ] Quota %d raised with the cloud provider\n", i)
		default: // gone
		}
	}
	l := &launch.Launch{ID: 1, Name: "Large", Date: "2026-12-01", Timezone: "UTC", Creator: "UBOSS", Checklist: parseDoc(t, v1.String())}
	next := parseDoc(t, v2.String())
	start := time.Now()
	diff, _, err := l.UpdateChecklist("UBOSS", next, now)
	took := time.Since(start)
	require.NoError(t, err)
	assert.Equal(t, "2500 added, 5000 removed, 2500 reworded, 2500 unchanged", diff.Summary())
	assert.Less(t, took, 10*time.Second, "near linear: quadratic matching would take minutes; took %s", took)
	t.Logf("update of 10 000 items: %s", took)
}

// TestUpdateTellsTheChannelWhatChanged: an update that changes something
// makes one notice carrying its diff; one that changes nothing, none.
func TestUpdateTellsTheChannelWhatChanged(t *testing.T) {
	l := reimportLaunch(t)
	doc := strings.Replace(reimportDoc, "- [ ] On-call rota published\n", "", 1)
	diff, _, err := l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
	require.NoError(t, err)
	notices := l.Notices(now)
	require.NotEmpty(t, notices)
	assert.Equal(t, launch.Notice{Kind: launch.NoticeUpdated, Actor: "UBOSS", Diff: &diff,
		Key: "update:" + fmt.Sprint(l.ID) + ":" + launch.InstantKey(now)}, notices[0])
	assert.Equal(t, launch.PostUpdateNotice, notices[0].PostKind())

	_, events, err := l.UpdateChecklist("UBOSS", parseDoc(t, doc), now)
	require.NoError(t, err)
	assert.Empty(t, events)
	assert.Empty(t, l.Notices(now))
}
