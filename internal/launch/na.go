package launch

import (
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// NeedsConfirmation tells whether marking item number not applicable needs
// a role holder's confirmation: a P0 item, or one inside a 100% gate, where
// N/A alone could turn a failing gate into a passing one.
func (l *Launch) NeedsConfirmation(number int) bool {
	s, g, it := l.Checklist.Locate(number)
	if it == nil {
		return false
	}
	if it.Priority == "P0" || g.Priority == "P0" {
		return true
	}
	for _, gate := range l.Checklist.Gates {
		if gate.Unresolved || gate.Threshold < 100 {
			continue
		}
		t := gate.Target
		switch {
		case t.Priority != "":
			if it.Priority == t.Priority {
				return true
			}
		case t.Section < 0:
			return true
		case t.Section == s.Index && (t.Group < 0 || t.Group == g.Index):
			return true
		}
	}
	return false
}

// SetNA marks item number not applicable for reason, or makes it apply
// again when reason is "off". It tells whether the mark waits for a role
// holder's confirmation (NeedsConfirmation); until then the item counts as
// open. No event when nothing changed.
func (l *Launch) SetNA(user string, number int, reason string, now time.Time) (pending bool, events []Event, err error) {
	reason = strings.TrimSpace(reason)
	s, _, it := l.Checklist.Locate(number)
	if it == nil {
		return false, nil, l.removedOrNoItem(number)
	}
	if err := l.CanEdit(user, s, "mark items not applicable"); err != nil {
		return false, nil, err
	}
	if strings.EqualFold(reason, "off") {
		if it.NA == nil {
			return false, nil, nil
		}
		before := naText(it.NA)
		it.NA = nil
		return false, []Event{{Actor: user, Kind: KindNAOff, Items: []int{number}, Before: before, After: "applies"}}, nil
	}
	if reason == "" {
		return false, nil, Errorf(EINVALID, "Say why item %d does not apply, in quotes: the reason shows with it and stays in the audit log.", number)
	}
	if err := CheckLength("reason", reason, MaxNote); err != nil {
		return false, nil, err
	}
	pending = l.NeedsConfirmation(number)
	// Stored to the millisecond, which the confirmation buttons carry.
	it.NA = &checklist.NA{By: user, Reason: reason, At: now.Truncate(time.Millisecond), Confirmed: !pending}
	after := "n/a: " + reason
	if pending {
		after += " (awaiting a role holder's confirmation)"
	}
	return pending, []Event{{Actor: user, Kind: KindNA, Items: []int{number}, After: after}}, nil
}

// RoleHolders returns the people holding the launch's roles, each once.
func (l *Launch) RoleHolders() []string {
	var out []string
	for _, r := range l.Checklist.Roles {
		if r.Holder != "" && !contains(out, r.Holder) {
			out = append(out, r.Holder)
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// AnswerNA records a role holder's answer to the N/A of item number asked
// at asked (the request's instant, so that an answer to an older or
// withdrawn request is refused): accepted, the N/A stands and the item
// leaves every count; refused, the item applies again. It returns who asked.
func (l *Launch) AnswerNA(user string, number int, asked time.Time, accept bool) (requester string, events []Event, err error) {
	if !contains(l.RoleHolders(), user) {
		return "", nil, Errorf(EFORBIDDEN, "Only someone holding one of the launch's roles can confirm an item as not applicable; nothing was recorded.")
	}
	it := l.Checklist.Item(number)
	if it == nil || it.NA == nil || it.NA.Confirmed || !it.NA.At.Equal(asked) {
		return "", nil, Errorf(ECONFLICT, "This request to mark item %d not applicable was already answered or withdrawn; nothing was recorded.", number)
	}
	requester = it.NA.By
	if accept && user == requester {
		// A confirmation is a second person's word, never one's own.
		return "", nil, Errorf(EFORBIDDEN, "You asked to mark item %d not applicable: another role holder must confirm it; nothing was recorded.", number)
	}
	if accept {
		it.NA.Confirmed, it.NA.ConfirmedBy = true, user
		return requester, []Event{{Actor: user, Kind: KindNAAccept, Items: []int{number}, Before: "n/a awaiting confirmation", After: "n/a: " + it.NA.Reason}}, nil
	}
	before := naText(it.NA)
	it.NA = nil
	return requester, []Event{{Actor: user, Kind: KindNARefuse, Items: []int{number}, Before: before, After: "applies"}}, nil
}

func naText(na *checklist.NA) string {
	if !na.Confirmed {
		return "n/a awaiting confirmation: " + na.Reason
	}
	return "n/a: " + na.Reason
}
