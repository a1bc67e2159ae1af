package bot

import (
	"fmt"

	"github.com/golive/golive/internal/launch"
)

// ImportNotice is what the channel is told when a launch is imported, by
// the person with Slack id by.
func ImportNotice(l *launch.Launch, by string) string {
	return fmt.Sprintf("<@%s> started the launch “%s” for %s (%s) from an imported checklist: %d items in %d sections. "+
		"Tick items with the `checklist` command; `status` shows readiness.",
		by, inert(l.Name), l.When(), l.Timezone, len(l.Checklist.Items()), len(l.Checklist.Sections))
}
