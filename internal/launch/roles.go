package launch

import (
	"strings"
	"time"

	"github.com/golive/golive/internal/checklist"
)

// SetRoleHolder puts holder in the named role; only the creator may. A new
// holder starts with a pending verdict: an approval belongs to a person.
func (l *Launch) SetRoleHolder(user, name, holder string) ([]Event, error) {
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can assign roles.", l.Creator)
	}
	r, err := l.findRole(name)
	if err != nil {
		return nil, err
	}
	if r.Holder == holder {
		return nil, nil
	}
	ev := Event{Actor: user, Kind: KindRole, Role: r.Name, Before: r.Holder, After: holder}
	r.Holder = holder
	r.Verdict, r.Note, r.By, r.At = checklist.VerdictPending, "", "", time.Time{}
	r.Version++
	return []Event{ev}, nil
}

// AddRole adds an approver role; only the creator may.
func (l *Launch) AddRole(user, name string) ([]Event, error) {
	name = strings.TrimSpace(name)
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can change the roles.", l.Creator)
	}
	if name == "" {
		return nil, Errorf(EINVALID, "A role needs a name of 1 to %d characters, for example `role add \"Legal\"`.", MaxRoleName)
	}
	if err := CheckLength("role name", name, MaxRoleName); err != nil {
		return nil, err
	}
	if l.Checklist.Role(name) != nil {
		return nil, Errorf(ECONFLICT, "The role %q already exists.", name)
	}
	l.Checklist.Roles = append(l.Checklist.Roles, &checklist.Role{Name: name, Verdict: checklist.VerdictPending})
	return []Event{{Actor: user, Kind: KindRoleAdd, Role: name, After: "added"}}, nil
}

// RemoveRole removes an approver role; only the creator may.
func (l *Launch) RemoveRole(user, name string) ([]Event, error) {
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can change the roles.", l.Creator)
	}
	r, err := l.findRole(name)
	if err != nil {
		return nil, err
	}
	roles := l.Checklist.Roles[:0]
	for _, x := range l.Checklist.Roles {
		if x != r {
			roles = append(roles, x)
		}
	}
	l.Checklist.Roles = roles
	return []Event{{Actor: user, Kind: KindRoleRemove, Role: r.Name, Before: string(r.Verdict), After: "removed"}}, nil
}

// Answer records the role holder's verdict. Only the person holding the
// role may answer for it; conditions and rejections need a note.
func (l *Launch) Answer(user, name string, v checklist.Verdict, note string, now time.Time) ([]Event, error) {
	r, err := l.findRole(name)
	if err != nil {
		return nil, err
	}
	if err := l.CanAnswer(user, r.Name); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	switch v {
	case checklist.VerdictApproved:
		note = ""
	case checklist.VerdictConditional, checklist.VerdictRejected:
		what := map[checklist.Verdict]string{
			checklist.VerdictConditional: "condition", checklist.VerdictRejected: "reason for rejecting"}[v]
		if note == "" {
			return nil, Errorf(EINVALID, "Say what the %s is.", what)
		}
		if err := CheckLength(what, note, MaxNote); err != nil {
			return nil, err
		}
	default:
		return nil, Errorf(EINVALID, "%q is not an answer; approve, approve with conditions, or reject.", v)
	}
	before := string(r.Verdict)
	r.Verdict, r.Note, r.By, r.At = v, note, user, now
	r.Version++
	after := string(v)
	if note != "" {
		after += ": " + note
	}
	return []Event{{Actor: user, Kind: KindVerdict, Role: r.Name, Before: before, After: after}}, nil
}

// CanAnswer tells whether user may answer for the role: only the person
// holding it. Whether the answer may still change is AnswerFrozen's to say.
func (l *Launch) CanAnswer(user, name string) error {
	r, err := l.findRole(name)
	if err != nil {
		return err
	}
	switch r.Holder {
	case user:
		return nil
	case "":
		return Errorf(EFORBIDDEN, "Nobody holds the role %s now, so nobody can answer for it; nothing was recorded.", r.Name)
	}
	return Errorf(EFORBIDDEN, "Only <@%s>, who holds the role %s, can answer for it; nothing was recorded.", r.Holder, r.Name)
}

// RecordAnswer is Answer for an answer given to golive's request: when it
// is the last answer the launch waited for, a decision is due, and golive
// announces it with the answer (Announce, by Golive). Of two last answers
// arriving together, the one stored second finds every role answered
// already, and announces nothing.
func (l *Launch) RecordAnswer(user, name string, v checklist.Verdict, note string, now time.Time) ([]Event, error) {
	wasAnswered := l.AllAnswered()
	events, err := l.Answer(user, name, v, note, now)
	if err != nil || wasAnswered || !l.AllAnswered() {
		return events, err
	}
	more, err := l.Announce(Golive, now)
	if err != nil {
		return nil, err
	}
	return append(events, more...), nil
}

func (l *Launch) findRole(name string) (*checklist.Role, error) {
	name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"“”`))
	if r := l.Checklist.Role(name); r != nil {
		return r, nil
	}
	names := make([]string, len(l.Checklist.Roles))
	for i, r := range l.Checklist.Roles {
		names[i] = r.Name
	}
	if len(names) == 0 {
		return nil, Errorf(ENOTFOUND, "This launch has no roles yet; add one with `role add \"Security Lead\"`.")
	}
	return nil, Errorf(ENOTFOUND, "There is no role %q. Roles: %s.", name, strings.Join(names, ", "))
}
