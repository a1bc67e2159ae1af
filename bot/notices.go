package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// ImportNotice is what the channel is told when a launch is imported, by
// the person with Slack id by.
func ImportNotice(l *launch.Launch, by string) string {
	return fmt.Sprintf("<@%s> started the launch “%s” for %s (%s) from an imported checklist: %d items in %d sections. "+
		"Tick items with the `checklist` command; `status` shows readiness.",
		by, inert(l.Name), l.When(), l.Timezone, len(l.Checklist.Items()), len(l.Checklist.Sections))
}

// UpdateNotice is what the channel is told when the person with Slack id
// by brought a newer version of the checklist into launch l: the counts,
// the done items that changed, and the sign-offs and answers voided.
func UpdateNotice(l *launch.Launch, by string, d launch.Diff) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<@%s> updated the checklist of “%s” from a newer version: %s.", by, inert(l.Name), d.Summary())
	var done []string
	for _, c := range d.Changes {
		if c.Done {
			done = append(done, fmt.Sprintf("%d (%s)", c.Number, c.Kind))
		}
	}
	if len(done) > 0 {
		fmt.Fprintf(&b, " Done items that changed: %s; check that they still hold.", strings.Join(done, ", "))
	}
	if len(d.Signoffs) > 0 {
		fmt.Fprintf(&b, " The sign-off of %s is void now: sign off again with `signoff <section>`.", inert(strings.Join(d.Signoffs, ", ")))
	}
	if len(d.Verdicts) > 0 {
		fmt.Fprintf(&b, " The answers of %s were given on the old checklist and are back to pending: ask again with `approvals`.", inert(strings.Join(d.Verdicts, ", ")))
	}
	if d.Added+d.Removed+d.Reworded > 0 {
		b.WriteString(" `checklist` shows the items; the audit log keeps every change.")
	}
	return b.String()
}

// noticeMessage words a notice the domain says a change tells the channel
// (launch.Notices), as of now.
func noticeMessage(l *launch.Launch, n launch.Notice, now time.Time) (render.Message, error) {
	switch n.Kind {
	case launch.NoticeDecision:
		return render.Announcement(l, now), nil
	case launch.NoticeStale:
		return render.StaleNotice(l), nil
	case launch.NoticeUpdated:
		if n.Diff != nil {
			return render.Notice(UpdateNotice(l, n.Actor, *n.Diff)), nil
		}
	case launch.NoticeUntickVoided:
		return render.Notice(fmt.Sprintf("%s unticked an item of %s: its sign-off is void now, and the section needs signing off again (`signoff <section>`).",
			capitalized(actorRef(n.Actor)), inert(strings.Join(n.Sections, ", ")))), nil
	case launch.NoticeAddVoided:
		if len(n.Items) == 1 && len(n.Sections) == 1 {
			return render.Notice(fmt.Sprintf("<@%s> added item %d to %s: its sign-off is void now, and the section needs signing off again (`signoff <section>`).",
				n.Actor, n.Items[0], inert(n.Sections[0]))), nil
		}
	case launch.NoticeProbe:
		return probeNotice(l, n)
	case launch.NoticeDoneReworded:
		if len(n.Items) == 1 {
			return render.Notice(fmt.Sprintf("<@%s> reworded item %d, which is done: it said “%s” and now says “%s”. Check that it is still done.",
				n.Actor, n.Items[0], inert(n.Before), inert(n.After))), nil
		}
	}
	return render.Message{}, fmt.Errorf("word the %s notice %q: not a notice golive knows", n.Kind, n.Key)
}
