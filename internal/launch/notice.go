package launch

import (
	"fmt"
	"strings"
	"time"
)

// Notice is something a change tells the launch's channel, beyond the
// redraw of its live messages: a sign-off voided, a done item reworded, an
// announced GO gone stale, a decision taken. The domain decides which
// notices a change makes (its methods record them on the launch, and
// Notices adds the stale one); the adapter words them and delivers them
// through the outbox, in the change's transaction.
type Notice struct {
	Kind  NoticeKind
	Actor string // who made the change
	// Items and Sections are what the notice is about: the item added or
	// reworded, the sections whose sign-off is void.
	Items    []int
	Sections []string
	// Before and After are a reworded item's texts.
	Before, After string
	// Diff is what an update of the checklist changed (NoticeUpdated).
	Diff *Diff
	// Key names the notice's cause among every post ever stored: the same
	// cause told again is not delivered twice (see Post.Key).
	Key string
}

// NoticeKind is what a notice tells.
type NoticeKind string

// Kinds of Notice.
const (
	// NoticeUntickVoided: an untick voided the sign-off of Sections.
	NoticeUntickVoided NoticeKind = "untick-voided"
	// NoticeAddVoided: the item added (Items) voided its section's sign-off.
	NoticeAddVoided NoticeKind = "add-voided"
	// NoticeDoneReworded: a done item (Items) now says After, not Before.
	NoticeDoneReworded NoticeKind = "done-reworded"
	// NoticeUpdated: the checklist was brought up to a newer version of
	// its document (Diff): the counts, the done items that changed, the
	// sign-offs and answers voided.
	NoticeUpdated NoticeKind = "updated"
	// NoticeStale: the announced GO stands on facts that changed since.
	NoticeStale NoticeKind = "stale"
	// NoticeDecision: a decision was announced (Launch.Announced), asked
	// for or due because the last role answered.
	NoticeDecision NoticeKind = "decision"
	// NoticeProbe: the probe of an item (Items) changed outcome: After is
	// "pass" or "fail". Its owner is told too.
	NoticeProbe NoticeKind = "probe"
)

// PostKind is the kind of post that delivers the notice.
func (n Notice) PostKind() string {
	switch n.Kind {
	case NoticeStale:
		return PostStaleNotice
	case NoticeDecision:
		return PostAnnouncement
	case NoticeUpdated:
		return PostUpdateNotice
	}
	return PostNotice
}

// notify records a notice of the change being made; Notices hands it over.
// Its key is completed there, when the change's instant is known.
func (l *Launch) notify(n Notice) { l.notices = append(l.notices, n) }

// Notices returns what the change just made tells the channel, made at
// now, and forgets it: the notices its methods recorded, then the stale
// notice when the change left an announced GO standing on facts that no
// longer hold (once per announcement: its key is the announcement's).
func (l *Launch) Notices(now time.Time) []Notice {
	out := l.notices
	l.notices = nil
	for i := range out {
		out[i].Key = l.noticeKey(out[i], now)
	}
	if l.Stale(now) {
		out = append(out, Notice{Kind: NoticeStale, Key: l.StaleKey()})
	}
	return out
}

// Noticing tells whether the change being made recorded notices that
// Notices has not handed over yet.
func (l *Launch) Noticing() bool { return len(l.notices) > 0 }

// StaleKey is the key of the stale notice of the launch's announcement.
func (l *Launch) StaleKey() string {
	return PostKey(PostStaleNotice, l.ID, InstantKey(l.Announced.At))
}

// noticeKey is the key of n, told by a change at now: one announcement is
// posted once; the other notices are told apart by their cause and actor.
func (l *Launch) noticeKey(n Notice, now time.Time) string {
	var what string
	switch n.Kind {
	case NoticeDecision:
		return PostKey(PostAnnouncement, l.ID, InstantKey(l.Announced.At))
	case NoticeUpdated:
		return PostKey(PostUpdateNotice, l.ID, InstantKey(now))
	case NoticeUntickVoided:
		what = "void:" + n.Actor + ":" + strings.Join(n.Sections, ",")
	case NoticeAddVoided:
		what = fmt.Sprintf("add:%d:void", firstItem(n.Items))
	case NoticeDoneReworded:
		what = fmt.Sprintf("edit:%d:%s", firstItem(n.Items), n.Actor)
	case NoticeProbe:
		what = fmt.Sprintf("probe:%d:%s", firstItem(n.Items), n.After)
	default:
		what = string(n.Kind) + ":" + n.Actor
	}
	return PostKey(PostNotice, l.ID, InstantKey(now)+":"+what)
}

func firstItem(items []int) int {
	if len(items) == 0 {
		return 0
	}
	return items[0]
}
