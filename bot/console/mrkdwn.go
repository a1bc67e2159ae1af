package console

import (
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// Placeholders stand for the pieces mrkdwn turns into HTML (code, links,
// mentions) while the rest is escaped and formatted; the private-use
// characters they are made of are taken out of the text first.
const (
	phOpen  = '\uE000'
	phClose = '\uE001'
)

var (
	codeBlock  = regexp.MustCompile("```([\\s\\S]*?)```")
	codeSpan   = regexp.MustCompile("`([^`\n]+)`")
	angled     = regexp.MustCompile(`<([^<>\n]+)>`)
	bold       = regexp.MustCompile(`(^|[^\p{L}\p{N}*])\*([^*\n]+)\*`)
	italic     = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_([^_\n]+)_`)
	strike     = regexp.MustCompile(`(^|[^\p{L}\p{N}~])~([^~\n]+)~`)
	shortcode  = regexp.MustCompile(`:([a-z0-9_+-]+):`)
	placeholer = regexp.MustCompile("\uE000([0-9]+)\uE001")
)

// emoji are the shortcodes golive's messages use, drawn as Slack would.
var emoji = map[string]string{
	"warning": "⚠️", "white_check_mark": "✅", "x": "❌", "heavy_check_mark": "✔️", "hourglass": "⌛",
	"hourglass_flowing_sand": "⏳", "rocket": "🚀", "calendar": "📅", "bell": "🔔", "lock": "🔒",
	"no_entry": "⛔", "large_green_circle": "🟢", "red_circle": "🔴", "large_yellow_circle": "🟡",
	"memo": "📝", "clipboard": "📋", "tada": "🎉", "eyes": "👀", "stopwatch": "⏱️",
}

// slackUnescape undoes the three escapes of Slack's mrkdwn: text shown
// literally, never as markup.
var slackUnescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// renderMrkdwn draws Slack mrkdwn as HTML: bold, italic, strike, code,
// links, mentions as names, shortcodes as emoji, line breaks. Every piece
// of the text is escaped; only the tags made here are markup.
func renderMrkdwn(s string) template.HTML {
	s = strings.Map(func(r rune) rune {
		if r == phOpen || r == phClose {
			return -1
		}
		return r
	}, s)
	var pieces []string
	hold := func(h string) string {
		pieces = append(pieces, h)
		return string(phOpen) + strconv.Itoa(len(pieces)-1) + string(phClose)
	}
	s = codeBlock.ReplaceAllStringFunc(s, func(m string) string {
		return hold("<pre>" + html.EscapeString(slackUnescape.Replace(codeBlock.FindStringSubmatch(m)[1])) + "</pre>")
	})
	s = codeSpan.ReplaceAllStringFunc(s, func(m string) string {
		return hold("<code>" + html.EscapeString(slackUnescape.Replace(codeSpan.FindStringSubmatch(m)[1])) + "</code>")
	})
	s = angled.ReplaceAllStringFunc(s, func(m string) string {
		return hold(angledHTML(angled.FindStringSubmatch(m)[1]))
	})
	s = html.EscapeString(slackUnescape.Replace(s))
	s = bold.ReplaceAllString(s, "$1<b>$2</b>")
	s = italic.ReplaceAllString(s, "$1<i>$2</i>")
	s = strike.ReplaceAllString(s, "$1<s>$2</s>")
	s = withEmoji(s)
	s = strings.ReplaceAll(s, "\n", "<br>")
	s = placeholer.ReplaceAllStringFunc(s, func(m string) string {
		i, _ := strconv.Atoi(placeholer.FindStringSubmatch(m)[1])
		return pieces[i]
	})
	return template.HTML(s) // #nosec: built from escaped pieces only
}

// renderPlain draws a plain_text object: escaped, with emoji.
func renderPlain(s string) template.HTML {
	return template.HTML(strings.ReplaceAll(withEmoji(html.EscapeString(s)), "\n", "<br>"))
}

func withEmoji(escaped string) string {
	return shortcode.ReplaceAllStringFunc(escaped, func(m string) string {
		if e, ok := emoji[strings.Trim(m, ":")]; ok {
			return e
		}
		return m
	})
}

// angledHTML draws what mrkdwn writes between < and >: a mention, a
// channel, a special mention, or a link (http, https and mailto only).
func angledHTML(inner string) string {
	target, label, _ := strings.Cut(inner, "|")
	switch {
	case strings.HasPrefix(target, "@"):
		return `<span class="mention">@` + html.EscapeString(displayName(target[1:])) + `</span>`
	case strings.HasPrefix(target, "#"):
		name := label
		if ch, ok := channel(target[1:]); ok {
			name = ch.Name
		}
		return `<span class="mention">#` + html.EscapeString(slackUnescape.Replace(name)) + `</span>`
	case strings.HasPrefix(target, "!"):
		word, _, _ := strings.Cut(target[1:], "^")
		return `<span class="mention">@` + html.EscapeString(word) + `</span>`
	}
	href := slackUnescape.Replace(target)
	lower := strings.ToLower(href)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "mailto:") {
		return html.EscapeString("<" + slackUnescape.Replace(inner) + ">")
	}
	if label == "" {
		label = target
	}
	return `<a href="` + html.EscapeString(href) + `" target="_blank" rel="noopener noreferrer">` +
		html.EscapeString(slackUnescape.Replace(label)) + `</a>`
}
