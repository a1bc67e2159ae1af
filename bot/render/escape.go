package render

import (
	"regexp"
	"strings"

	"github.com/golive/golive/internal/launch"
)

var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes user text safe in mrkdwn: it replaces &, < and > with their
// entities, which is what keeps <!channel>, <!here>, <@U…> and <url|label>
// written by a user from being interpreted by Slack, and drops the
// characters that override the text's direction, which could make a name
// or an item read differently from what is stored.
func Escape(s string) string {
	return mrkdwnEscaper.Replace(launch.StripBidi(s))
}

var (
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]{1,20}$`)
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]{1,20}$`)
	// mentionTag is a user mention as the domain writes it into messages.
	mentionTag = regexp.MustCompile(`<@[UW][A-Z0-9]{1,20}>`)
)

// mention renders a stored person as a Slack mention when it is a user id,
// and as escaped text otherwise (a name written in an imported document).
func mention(who string) string {
	if userID.MatchString(who) {
		return "<@" + who + ">"
	}
	return Escape(who)
}

// channelRef renders a stored channel id as a channel link, or escaped text.
func channelRef(id string) string {
	if channelID.MatchString(id) {
		return "<#" + id + ">"
	}
	return Escape(id)
}

// escapeKeepMentions escapes s but leaves well-formed user mentions live:
// for messages of ours that name people by id around quoted user text.
func escapeKeepMentions(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range mentionTag.FindAllStringIndex(s, -1) {
		b.WriteString(Escape(s[last:loc[0]]))
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	b.WriteString(Escape(s[last:]))
	return b.String()
}

// plainName is how a person appears in plain_text, where mentions do not
// render: the resolved name, or the stored value.
func plainName(who string, names Names) string {
	if names != nil {
		if n := strings.TrimSpace(names(who)); n != "" {
			return n
		}
	}
	return who
}
