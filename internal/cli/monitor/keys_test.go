package monitor

import (
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Keys typed faster than the program reads them reach Update as one message
// of several runes: every one of them must be handled.
func TestKeysInOneRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		msg    tea.KeyMsg
		paused bool
		quit   bool
	}{
		{"p", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("p")}, true, false},
		{"pq in one read", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("pq")}, true, true},
		{"pp in one read", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("pp")}, false, false},
		{"ppp in one read", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ppp")}, true, false},
		{"q stops handling", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("qp")}, false, true},
		{"pasted text is not keys", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("pq"), Paste: true}, false, false},
		{"alt+q is not q", tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q"), Alt: true}, false, false},
		{"space", tea.KeyMsg{Type: tea.KeySpace, Runes: []rune(" ")}, true, false},
		{"ctrl+c", tea.KeyMsg{Type: tea.KeyCtrlC}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := &model{opts: &Options{}}
			_, cmd := md.Update(tc.msg)
			quit := false
			if cmd != nil {
				_, quit = cmd().(tea.QuitMsg)
			}
			if md.paused != tc.paused || quit != tc.quit {
				t.Errorf("paused %v quit %v, want paused %v quit %v", md.paused, quit, tc.paused, tc.quit)
			}
		})
	}
}
