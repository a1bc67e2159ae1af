package launch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// Decide scores the launch: readiness, every gate, every role and the
// decision they lead to. A role nobody holds counts as not approved whatever
// verdict it carries: in a launch an approval belongs to the person holding
// the role. The decision is computed, never chosen, so anyone may ask for it.
// It is taken at now: a waiver counts for its gates while now's date in the
// launch's time zone is no later than the waiver's (checklist.ScoreOn).
func (l *Launch) Decide(now time.Time) checklist.Report {
	c := *l.Checklist
	c.Roles = make([]*checklist.Role, len(l.Checklist.Roles))
	for i, r := range l.Checklist.Roles {
		role := *r
		if role.Holder == "" {
			role.Verdict, role.Note, role.By, role.At = checklist.VerdictPending, "", "", time.Time{}
		}
		c.Roles[i] = &role
	}
	return checklist.ScoreAt(&c, l.Today(now), now)
}

// Today is now's date in the launch's time zone, YYYY-MM-DD: the day
// waivers and due dates are read against.
func (l *Launch) Today(now time.Time) string {
	return now.In(l.Location()).Format(DateLayout)
}

// fingerprintInputs is everything a decision depends on, in a stable order.
type fingerprintInputs struct {
	Done  []bool           `json:"done"`
	Items []int            `json:"items"`
	Gates []checklist.Gate `json:"gates"`
	Roles []roleInput      `json:"roles"`
	// NA lists the items out of every count: confirmed not applicable.
	NA []int `json:"na,omitempty"`
	// Waived lists the items a waiver counts as done at the fingerprint's
	// instant: a waiver given, taken off or lapsed changes it.
	Waived []int `json:"waived,omitempty"`
	// Stale lists the done items their gates count open at the
	// fingerprint's instant, their verification too old: evidence ageing
	// past its freshness changes it.
	Stale []int `json:"stale,omitempty"`
}

type roleInput struct {
	Name    string            `json:"name"`
	Holder  string            `json:"holder"`
	Verdict checklist.Verdict `json:"verdict"`
	Note    string            `json:"note"`
}

// Fingerprint summarises the facts a decision is taken on at now: every
// item's done state, which items are not applicable and which are waived
// at now, the gates, and every role's holder, verdict and note. Two
// launches with the same fingerprint get the same decision. A waiver's
// reason or date alone do not change it: whether it counts at now does.
func (l *Launch) Fingerprint(now time.Time) string {
	var in fingerprintInputs
	today := l.Today(now)
	for _, it := range l.Checklist.Items() {
		in.Items = append(in.Items, it.Number)
		in.Done = append(in.Done, it.Done)
		if it.Excluded() {
			in.NA = append(in.NA, it.Number)
		}
		if it.WaivedOn(today) {
			in.Waived = append(in.Waived, it.Number)
		}
		if it.StaleAt(now) {
			in.Stale = append(in.Stale, it.Number)
		}
	}
	in.Gates = l.Checklist.Gates
	for _, r := range l.Checklist.Roles {
		in.Roles = append(in.Roles, roleInput{Name: r.Name, Holder: r.Holder, Verdict: r.Verdict, Note: r.Note})
	}
	// Marshalling plain slices, strings and numbers cannot fail.
	b, _ := json.Marshal(in)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// Stale tells whether an announced GO or CONDITIONAL GO was given on facts
// that have changed since: the channel must be told and the decision taken
// again. A waiver lapsing at now's date makes a GO that counted it stale.
func (l *Launch) Stale(now time.Time) bool {
	a := l.Announced
	if a == nil || (a.Outcome != checklist.OutcomeGo && a.Outcome != checklist.OutcomeConditional) {
		return false
	}
	return a.Fingerprint != l.Fingerprint(now)
}

// Snapshot is an announced decision frozen with its inputs, as the audit log
// keeps it.
type Snapshot struct {
	Outcome     checklist.Outcome `json:"outcome"`
	Fingerprint string            `json:"fingerprint"`
	// Done lists the numbers of the items done when the decision was taken.
	Done   []int            `json:"done"`
	Report checklist.Report `json:"report"`
}

// Golive is the actor of what the bot does by itself, such as announcing
// the decision when the last role answers.
const Golive = "golive"

// Announce freezes the current decision: it becomes the launch's announced
// decision, and its audit event carries the whole report and the facts it
// was computed from. Anyone may announce: the decision is computed, and a GO
// cannot come out while a gate fails or an approval is missing. The channel
// is told the decision (NoticeDecision).
func (l *Launch) Announce(user string, now time.Time) ([]Event, error) {
	report := l.Decide(now)
	snap := Snapshot{Outcome: report.Decision.Outcome, Fingerprint: l.Fingerprint(now), Report: report}
	for _, it := range l.Checklist.Items() {
		if it.Done {
			snap.Done = append(snap.Done, it.Number)
		}
	}
	frozen, err := json.Marshal(snap)
	if err != nil {
		return nil, fmt.Errorf("freeze decision: %w", err)
	}
	before := ""
	if l.Announced != nil {
		before = string(l.Announced.Outcome)
	}
	l.Announced = &Announcement{Outcome: snap.Outcome, At: now, By: user, Fingerprint: snap.Fingerprint}
	l.notify(Notice{Kind: NoticeDecision, Actor: user})
	return []Event{{Actor: user, Kind: KindAnnounce, Before: before, After: string(frozen)}}, nil
}

// SetReview sets the date of the next review after a NO-GO. The launch's
// creator and the role holders may; the date cannot be in the past.
func (l *Launch) SetReview(user, date string, now time.Time) ([]Event, error) {
	if user != l.Creator && l.roleOf(user) == nil {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> or a role holder can set the review date.", l.Creator)
	}
	d, err := ParseDate(date)
	if err != nil {
		return nil, err
	}
	next := d.Format(DateLayout)
	local := now.In(l.Location())
	if next < local.Format(DateLayout) {
		return nil, Errorf(EINVALID, "%s is in the past; the next review needs a date from today on.", next)
	}
	if next == l.ReviewDate {
		return nil, nil
	}
	ev := Event{Actor: user, Kind: KindReview, Before: l.ReviewDate, After: next}
	l.ReviewDate = next
	return []Event{ev}, nil
}

// CanRequestApprovals tells whether user may ask the role holders for their
// approval: the launch's creator or a role holder.
func (l *Launch) CanRequestApprovals(user string) error {
	if user == l.Creator || l.roleOf(user) != nil {
		return nil
	}
	return Errorf(EFORBIDDEN, "Only the launch's creator <@%s> or a role holder can ask for approvals.", l.Creator)
}

// RequestApprovals asks every role holder for their answer, for user, who
// may (CanRequestApprovals), and returns the roles asked, in order: the
// adapter sends each holder the request. With nobody holding a role there
// is nobody to ask, and the request is refused.
func (l *Launch) RequestApprovals(user string, now time.Time) ([]*checklist.Role, []Event, error) {
	if err := l.CanRequestApprovals(user); err != nil {
		return nil, nil, err
	}
	var asked []*checklist.Role
	var names []string
	for _, r := range l.Checklist.Roles {
		if r.Holder != "" {
			asked = append(asked, r)
			names = append(names, fmt.Sprintf("%s (<@%s>)", r.Name, r.Holder))
		}
	}
	if len(asked) == 0 {
		return nil, nil, Errorf(ECONFLICT, "Nobody holds a role yet, so there is nobody to ask. The launch's creator assigns each role with `role \"<Role Name>\" @user`; `roles` lists them.")
	}
	l.ApprovalsAsked = now
	return asked, []Event{{Actor: user, Kind: KindApprovalsRequest, After: "asked " + strings.Join(names, ", ")}}, nil
}

// AsksNewHolder tells whether the new holder of a role must be asked for
// their answer when put in it: once approvals were asked for, a holder put
// in a role later owes an answer as the others do, and waiting for the
// next `approvals` would leave the decision pending on someone never asked.
func (l *Launch) AsksNewHolder(r *checklist.Role) bool {
	return !l.ApprovalsAsked.IsZero() && r.Holder != ""
}

// AnswerFrozen returns an ECONFLICT error when the holder's answer for the
// role is part of a decision announced after it was given and after the
// holder was last asked (asked, zero when unknown): such an answer can no
// longer change until someone asks again with `approvals`. A pending role,
// a PENDING announcement or a GO given on facts that have since changed
// freeze nothing; now is when the answer would change.
func (l *Launch) AnswerFrozen(name string, asked, now time.Time) error {
	r, err := l.findRole(name)
	if err != nil {
		return err
	}
	a := l.Announced
	if r.Verdict == checklist.VerdictPending || a == nil || a.Outcome == checklist.OutcomePending || l.Stale(now) {
		return nil
	}
	if a.At.Before(r.At) || a.At.Before(asked) {
		return nil
	}
	return Errorf(ECONFLICT, "The decision (%s) was announced with your answer for %s in it; to change it, ask for a new round with `approvals`.", a.Outcome, r.Name)
}

// Unheld returns the names of the roles nobody holds: they never count as approved.
func (l *Launch) Unheld() []string {
	var names []string
	for _, r := range l.Checklist.Roles {
		if r.Holder == "" {
			names = append(names, r.Name)
		}
	}
	return names
}

// AllAnswered tells whether every role is held and has an answer. It is
// false for a launch with no roles: nobody has decided anything.
func (l *Launch) AllAnswered() bool {
	if len(l.Checklist.Roles) == 0 {
		return false
	}
	for _, r := range l.Checklist.Roles {
		if r.Holder == "" || r.Verdict == checklist.VerdictPending || r.Verdict == "" {
			return false
		}
	}
	return true
}

// Role returns the role with that name, or ENOTFOUND with the list of roles.
func (l *Launch) Role(name string) (*checklist.Role, error) { return l.findRole(name) }

// roleOf returns the first role user holds, or nil.
func (l *Launch) roleOf(user string) *checklist.Role {
	if strings.TrimSpace(user) == "" {
		return nil
	}
	for _, r := range l.Checklist.Roles {
		if r.Holder == user {
			return r
		}
	}
	return nil
}
