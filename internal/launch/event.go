package launch

import (
	"strconv"
	"strings"
)

// Event is one change, as the audit log records it: what kind of change,
// who made it, what it is about (items, a section, a role), and the value
// before and after. Code reads the fields; Subject is made from them for
// people, and nothing reads it back.
type Event struct {
	Actor   string // Slack user id, or Golive for the bot itself
	Kind    Kind
	Items   []int  // the item numbers the change is about, if any
	Section string // the title of the section it is about, if any
	Role    string // the name of the role it is about, if any
	// Launch is the launch's name, for a change of the whole launch
	// (KindCreate, KindArchive).
	Launch string
	Before string
	After  string
}

// Kind is what a change did.
type Kind string

// Kinds of Event. Their values are stored in the audit log: never change one.
const (
	KindCreate  Kind = "create"
	KindArchive Kind = "archive"
	KindDate    Kind = "date"
	KindReview  Kind = "review"
	// KindReminders switches the daily reminders; KindTimezone moves the
	// launch to another time zone.
	KindReminders Kind = "reminders"
	KindTimezone  Kind = "timezone"
	// KindRemindNow posts the reminders of the windows open at the time
	// again, on demand (After: their names).
	KindRemindNow Kind = "remind-now"

	KindTick   Kind = "tick"
	KindUntick Kind = "untick"
	// KindOwner sets the owner of an item or of a section.
	KindOwner Kind = "owner"
	KindAdd   Kind = "add"
	KindEdit  Kind = "edit"
	// KindEditDone rewords an item that is done.
	KindEditDone Kind = "edit-done"
	KindRemove   Kind = "remove"
	KindNote     Kind = "note"
	KindDue      Kind = "due"
	KindWaive    Kind = "waive"
	KindWaiveOff Kind = "waive-off"
	// KindWaiverLapse records, once, that a waiver's date passed.
	KindWaiverLapse Kind = "waiver-lapse"
	KindNA          Kind = "na"
	KindNAOff       Kind = "na-off"
	KindNAAccept    Kind = "na-accept"
	KindNARefuse    Kind = "na-refuse"
	// KindNAAnswerRefused records an answer to an n/a request that was
	// refused (not the requester's reviewer, or answered already).
	KindNAAnswerRefused Kind = "na-answer-refused"

	KindSignoff Kind = "signoff"
	// KindSignoffVoid voids a section's sign-off: an item of it was
	// unticked or added, or the checklist was updated.
	KindSignoffVoid Kind = "signoff-void"

	KindRole       Kind = "role"
	KindRoleAdd    Kind = "role-add"
	KindRoleRemove Kind = "role-remove"
	KindVerdict    Kind = "verdict"
	// KindVerdictVoid sends an answer back to pending after an update.
	KindVerdictVoid Kind = "verdict-void"
	// KindApprovalsRequest asks the role holders for their answers.
	KindApprovalsRequest Kind = "approvals-request"
	// KindApprovalRefused records an answer that was refused (not the
	// holder, or the decision was announced).
	KindApprovalRefused Kind = "approval-refused"
	KindAnnounce        Kind = "announce"

	// KindUpdate is a checklist brought up to a newer version of its
	// document, or one of its changes that concerns no single item.
	KindUpdate Kind = "update"

	// KindEvidence is a check's result a pipeline reported on an item
	// through the API (After: "pass: <summary>"); the tick or untick it
	// made follows as an event of its own.
	KindEvidence Kind = "evidence"
	// KindTokenCreate and KindTokenRevoke are API tokens made and ended;
	// the token's name is After, and Before once revoked.
	KindTokenCreate Kind = "token-create"
	// KindFresh is how recent an item's verification must be for its gates
	// (Before and After: "24h", or "any age").
	KindFresh       Kind = "fresh"
	KindTokenRevoke Kind = "token-revoke"
	// KindProbe sets or takes away an item's probe (Before and After: its
	// spec, or "none").
	KindProbe Kind = "probe"
	// KindProbeRun is one run of a launch's probes: the items it checked,
	// and After "12 of 13 passed". The evidence of each outcome that
	// changed, and the ticks and unticks, follow as events of their own.
	KindProbeRun Kind = "probe-run"
)

// Subject names what the event is about, as the audit log shows it:
// "item 42", "section Security", "role Security Lead", "launch date".
func (e Event) Subject() string {
	switch {
	case len(e.Items) > 0:
		nums := make([]string, len(e.Items))
		for i, n := range e.Items {
			nums[i] = strconv.Itoa(n)
		}
		if len(nums) == 1 {
			return "item " + nums[0]
		}
		return "items " + strings.Join(nums, ", ")
	case e.Section != "":
		return "section " + e.Section
	case e.Role != "":
		return "role " + e.Role
	case e.Launch != "":
		return "launch " + e.Launch
	}
	if s, ok := kindSubjects[e.Kind]; ok {
		return s
	}
	return string(e.Kind)
}

// kindSubjects are the subjects of the kinds about the launch as a whole.
var kindSubjects = map[Kind]string{
	KindArchive:          "launch",
	KindCreate:           "launch",
	KindDate:             "launch date",
	KindReview:           "review date",
	KindReminders:        "daily reminders",
	KindTimezone:         "time zone",
	KindRemindNow:        "reminders",
	KindUpdate:           "checklist",
	KindAnnounce:         "decision",
	KindApprovalsRequest: "approvals",
	KindTokenCreate:      "API token",
	KindTokenRevoke:      "API token",
}

// ItemsOf returns the numbers of the items that events of the given kinds
// are about, in order.
func ItemsOf(events []Event, kinds ...Kind) []int {
	var out []int
	for _, e := range events {
		if e.Is(kinds...) {
			out = append(out, e.Items...)
		}
	}
	return out
}

// SectionsOf returns the titles of the sections that events of kind are
// about, in order.
func SectionsOf(events []Event, kind Kind) []string {
	var out []string
	for _, e := range events {
		if e.Kind == kind && e.Section != "" {
			out = append(out, e.Section)
		}
	}
	return out
}

// Is tells whether the event is of one of kinds.
func (e Event) Is(kinds ...Kind) bool {
	for _, k := range kinds {
		if e.Kind == k {
			return true
		}
	}
	return false
}
