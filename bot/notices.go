package bot

import (
	"context"
	"fmt"
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
	NoticePosted(ctx context.Context, launchID int64) error
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
				// A launch created from the shell has no reminders planned yet.
				b.syncReminders(log, l.ID)
			}
		}
		if err := src.NoticePosted(ctx, n.LaunchID); err != nil {
			log.Error("forget a posted notice", "err", err)
		}
	}
	return nil
}
