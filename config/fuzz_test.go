package config

import (
	"errors"
	"testing"
)

// FuzzParse: any file content gives a valid configuration or an error,
// never a panic; errors about a setting name the file.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"[transport]\nlayer = \"eth\"\ntimeout = 1.5\n[transport.eth]\nport = 5555\n",
		"[transport.eth]\nport = 70000\n",
		"[general]\nt7 = \"10ms\"\nmax_retries = 2.5\n",
		"transport = 5\n",
		"[transport\n",
		"[[transport]]\nlayer = 1\n",
		"[logging]\nlevel = [1, 2]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.toml", data)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) && fe.File != "f.toml" {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse returned an invalid configuration: %v", err)
		}
	})
}
