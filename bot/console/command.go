package console

import (
	"regexp"
	"strings"
)

var (
	handleRef  = regexp.MustCompile(`(^|[\s(])@([A-Za-z][A-Za-z0-9._-]*)`)
	channelRef = regexp.MustCompile(`(^|[\s(])#([a-z0-9_-]+)`)
	slackEsc   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
)

// escapeCommand turns a command's text as typed into what Slack sends for
// a command declared with should_escape: &, < and > escaped, and @member
// and #channel as Slack's <@U123|name> and <#C123|name> forms. Names the
// console does not know stay as typed.
func escapeCommand(typed string) string {
	s := slackEsc.Replace(typed)
	s = handleRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := handleRef.FindStringSubmatch(m)
		if p, ok := personByHandle(sub[2]); ok {
			return sub[1] + "<@" + p.ID + "|" + p.Handle + ">"
		}
		return m
	})
	return channelRef.ReplaceAllStringFunc(s, func(m string) string {
		sub := channelRef.FindStringSubmatch(m)
		for _, ch := range Channels {
			if ch.Name == sub[2] {
				return sub[1] + "<#" + ch.ID + "|" + ch.Name + ">"
			}
		}
		return m
	})
}
