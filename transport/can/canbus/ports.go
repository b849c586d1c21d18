package canbus

import (
	"fmt"
	"strings"

	"go.bug.st/serial"
)

// serialPorts names the serial ports present (for Drivers).
func serialPorts() string {
	ps, err := serial.GetPortsList()
	if err != nil {
		return "cannot list serial ports: " + err.Error()
	}
	if len(ps) == 0 {
		return "no serial ports found now"
	}
	if len(ps) > 6 {
		return fmt.Sprintf("%d serial ports, e.g. %s", len(ps), strings.Join(ps[:6], ", "))
	}
	return "ports: " + strings.Join(ps, ", ")
}
