package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/golive/golive/internal/checklist"
	"github.com/golive/golive/internal/launch"
)

// The N/A confirmation buttons: "na:accept", "na:refuse", routed by "na".
const (
	ActionNAAccept = "na:accept"
	ActionNARefuse = "na:refuse"
)

// NARef is what an N/A confirmation button carries: the launch, the item,
// and the instant the N/A was asked (Unix milliseconds), so that a click
// on a request answered, withdrawn or asked again is refused.
type NARef struct {
	LaunchID int64
	Item     int
	Asked    time.Time
}

func (r NARef) String() string {
	return fmt.Sprintf("%d:%d:%d", r.LaunchID, r.Item, r.Asked.UnixMilli())
}

// ParseNARef reads a button's value written by NARef.String.
func ParseNARef(s string) (NARef, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return NARef{}, fmt.Errorf("n/a ref %q: want launch:item:asked", clip(s, 60))
	}
	id, err1 := strconv.ParseInt(parts[0], 10, 64)
	n, err2 := strconv.Atoi(parts[1])
	ms, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || id <= 0 || n <= 0 {
		return NARef{}, fmt.Errorf("n/a ref %q: not numbers", clip(s, 60))
	}
	return NARef{LaunchID: id, Item: n, Asked: time.UnixMilli(ms).UTC()}, nil
}

// NARequest asks a role holder, by DM, to confirm that item it is not
// applicable: who asked and why, and Accept / Refuse buttons.
func NARequest(l *launch.Launch, it *checklist.Item) Message {
	na := it.NA
	text := fmt.Sprintf("<@%s> marked item *%d* of *%s* in %s not applicable, which needs a role holder's confirmation (a P0 item, or one in a 100%% gate): until then it counts as open.\n>%s\n*Why:* %s",
		na.By, it.Number, Escape(clip(l.Name, 100)), channelRef(l.ChannelID), Escape(brief(it.Text, 500)), Escape(brief(na.Reason, 1000)))
	ref := NARef{LaunchID: l.ID, Item: it.Number, Asked: na.At}.String()
	accept := slack.NewButtonBlockElement(ActionNAAccept, ref, plain("Accept"))
	accept.Style = slack.StylePrimary
	refuse := slack.NewButtonBlockElement(ActionNARefuse, ref, plain("Refuse"))
	refuse.Style = slack.StyleDanger
	return Message{
		Text:   clip(Escape(fmt.Sprintf("Confirm item %d of %s as not applicable?", it.Number, l.Name)), maxMessageText),
		Blocks: []slack.Block{section(clip(text, maxSectionText)), slack.NewActionBlock("na", accept, refuse)},
	}
}

// naOption shows a not-applicable item struck through, with who and why
// (and whether it awaits confirmation) under it, each within Slack's 75
// characters once escaped.
func naOption(it *checklist.Item, label string) *slack.OptionBlockObject {
	text := fitEscaped("~", label, "~ N/A", maxOptionText)
	prefix := "N/A, <@" + it.NA.By + ">: "
	if !it.NA.Confirmed {
		prefix = "N/A awaits a role holder (open), <@" + it.NA.By + ">: "
	}
	desc := fitEscaped(prefix, plainBrief(it.NA.Reason, maxOptionDesc), "", maxOptionDesc)
	return slack.NewOptionBlockObject(strconv.Itoa(it.Number),
		slack.NewTextBlockObject(slack.MarkdownType, text, false, false),
		slack.NewTextBlockObject(slack.MarkdownType, desc, false, false))
}

// fitEscaped is prefix, s escaped and suffix, s clipped so that the whole
// stays within max characters.
func fitEscaped(prefix, s, suffix string, max int) string {
	room := max - utf8.RuneCountInString(prefix) - utf8.RuneCountInString(suffix)
	text := prefix + Escape(clipPlain(s, room)) + suffix
	for ; utf8.RuneCountInString(text) > max && room > 1; room-- {
		text = prefix + Escape(clipPlain(s, room-1)) + suffix
	}
	return text
}

// waiverDesc shows an item's waiver under it: until when, who and why,
// within the option description's 75 characters once escaped.
func waiverDesc(w *checklist.Waiver) *slack.TextBlockObject {
	until := w.Until
	if d, err := time.Parse(launch.DateLayout, w.Until); err == nil {
		until = d.Format("2 Jan")
	}
	prefix := "🛡 Waived until " + until + ", <@" + w.By + ">: "
	text := fitEscaped(prefix, plainBrief(w.Reason, maxOptionDesc), "", maxOptionDesc)
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}
