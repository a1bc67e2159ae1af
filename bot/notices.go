package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/bot/render"
	"github.com/golive/golive/internal/launch"
)

// NoticeSource is where notices owed to channels wait: the store, written
// by `golive import` from the shell.
type NoticeSource interface {
	// ClaimNotices takes the pending notices for lease.
	ClaimNotices(ctx context.Context, lease time.Duration) ([]launch.Notice, error)
	// NoticePosted forgets a notice.
	NoticePosted(ctx context.Context, n launch.Notice) error
}

// noticeLease is how long a claimed notice waits before another try when
// its post failed (Slack down, the bot not in the channel yet).
const noticeLease = 5 * time.Minute

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

// PostNotices posts in their channels the notices waiting in src, each
// once: a notice is forgotten once posted, or when its launch or channel is
// gone; one whose post failed otherwise is tried again after its lease.
// Several bots on one database never post the same notice, since each
// claims before posting.
func (b *Bot) PostNotices(ctx context.Context, src NoticeSource) error {
	notices, err := src.ClaimNotices(ctx, noticeLease)
	if err != nil {
		return fmt.Errorf("post notices: %w", err)
	}
	for _, n := range notices {
		log := b.log.With("launch", n.LaunchID)
		l, err := b.store.LaunchByID(ctx, n.LaunchID)
		switch {
		case launch.ErrorCode(err) == launch.ENOTFOUND:
			log.Warn("notice of a launch that is gone: dropped")
		case err != nil:
			log.Error("notice: load the launch", "err", err)
			continue
		case l.Archived:
			log.Info("notice of an archived launch: dropped")
		default:
			postCtx, cancel := context.WithTimeout(ctx, slackTimeout)
			_, _, err = b.slack.PostMessageContext(postCtx, l.ChannelID, messageOptions(render.Notice(n.Text))...)
			cancel()
			if err != nil && !undeliverable[slackErrorCode(err)] {
				log.Warn("post notice; trying again later", "err", err, "retry_in", noticeLease.String())
				continue
			}
			if err != nil {
				log.Error("post notice: the channel is gone; dropped", "err", err)
			} else {
				// A launch created or updated from the shell has no
				// reminders planned for its windows yet, and its messages
				// show the launch as it was.
				b.syncReminders(log, l.ID)
				b.refreshLaunch(l.ID, "")
			}
		}
		if err := src.NoticePosted(ctx, n); err != nil {
			log.Error("forget a posted notice", "err", err)
		}
	}
	return nil
}
