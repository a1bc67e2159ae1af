package launch

import (
	"strings"
	"time"
)

// SetReminders switches the launch's daily countdown posts on or off; only
// its creator may. Window posts and overdue DMs are not affected. It
// returns no event when nothing changes.
func (l *Launch) SetReminders(user string, on bool) ([]Event, error) {
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can switch the daily reminders.", l.Creator)
	}
	if l.RemindersOff == !on {
		return nil, nil
	}
	before, after := onOff(!l.RemindersOff), onOff(on)
	l.RemindersOff = !on
	return []Event{{Actor: user, Kind: KindReminders, Before: before, After: after}}, nil
}

// RemindNow records that user had the reminders of the windows open at the
// time, by name, posted again in the channel (`remind now`), which anyone
// in it may ask for; the caller tells their posts in the same change. It
// returns no event when no window is open.
func (l *Launch) RemindNow(user string, windows []string) []Event {
	if len(windows) == 0 {
		return nil
	}
	return []Event{{Actor: user, Kind: KindRemindNow, After: strings.Join(windows, ", ")}}
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// maxZoneName bounds a time zone name; the longest IANA name is 32 characters.
const maxZoneName = 64

// SetTimezone moves the launch to the IANA time zone zone, which its dates
// and reminder times are read in; only its creator may. It returns no event
// when nothing changes.
func (l *Launch) SetTimezone(user, zone string) ([]Event, error) {
	zone = strings.TrimSpace(zone)
	if user != l.Creator {
		return nil, Errorf(EFORBIDDEN, "Only the launch's creator <@%s> can change its time zone.", l.Creator)
	}
	if err := CheckZone(zone); err != nil {
		return nil, err
	}
	if zone == l.Timezone {
		return nil, nil
	}
	ev := Event{Actor: user, Kind: KindTimezone, Before: l.Timezone, After: zone}
	l.Timezone = zone
	return []Event{ev}, nil
}

// CheckZone tells whether zone is an IANA time zone name golive can use.
// "Local" is refused: it would follow the server's zone, not the team's.
func CheckZone(zone string) error {
	bad := Errorf(EINVALID, "%q is not an IANA time zone name such as Europe/Paris, America/New_York or Asia/Kolkata (names are case-sensitive).",
		clipName(zone))
	if zone == "" || len(zone) > maxZoneName || zone == "Local" {
		return bad
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return bad
	}
	return nil
}

func clipName(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return s
}
