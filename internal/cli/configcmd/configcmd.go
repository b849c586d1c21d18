// Package configcmd is `xcp config`: write a complete configuration
// template (init, pyXCP's `xcp-profile create`), convert pyXCP
// configurations (convert, pyXCP's `xcp-profile convert`) and show the
// effective settings with their origin (show).
package configcmd

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/goxcp/goxcp/config"
	"github.com/goxcp/goxcp/config/pyxcp"
	"github.com/goxcp/goxcp/connect"
	"github.com/goxcp/goxcp/internal/cli/cmdutil"
)

// NewCmd returns the `xcp config` command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Create, convert and show configuration files",
		Long: `Work with xcp configuration files (TOML, see the README's Configuration).

  init     write a template with every setting, its default and a comment
  convert  convert a pyXCP configuration (legacy TOML/JSON or traitlets .py)
  show     print the effective settings and where each one came from
  trust    allow a configuration file to start its key program`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return cmdutil.UsageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newInitCmd(f), newConvertCmd(f), newShowCmd(f), newTrustCmd(f))
	return cmd
}

// writeOut writes data to the file out, or to stdout for "" or "-".
// An existing file is only replaced with force.
func writeOut(f *cmdutil.Factory, out string, data []byte, force bool) error {
	if out == "" || out == "-" {
		_, err := f.IO.Out.Write(data)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	fh, err := os.OpenFile(out, flags, 0o644)
	if os.IsExist(err) {
		return cmdutil.UsageErrorf("%s exists; use --force to replace it", out)
	}
	if err != nil {
		return err
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Close(); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "wrote %s\n", out)
	return nil
}

func newTrustCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "trust FILE",
		Short: "Allow a configuration file found in the working directory to start its key program",
		Long: `A configuration file can name a program (general.seed_n_key_command) that
xcp runs to compute seed & key answers. xcp runs it only from a file you chose:
one given with --config or XCP_CONFIG, or xcp.toml in your configuration
directory. An xcp.toml that is merely found in the working directory (it may
come with a project checkout from anyone) must be trusted first: check it,
then run this command. The trust holds for the file's current contents; after
any change, trust it again.`,
		Example: `  xcp config trust ./xcp.toml`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := config.Load(args[0]); err != nil {
				return err
			}
			store, err := config.Trust(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "trusted %s as it is now (recorded in %s)\n", args[0], store)
			return nil
		},
	}
}

func newInitCmd(f *cmdutil.Factory) *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "init [-o FILE]",
		Short: "Write a configuration template with every setting and its default",
		Long: `Write a TOML configuration file listing every setting with its default
value and a comment (pyXCP: xcp-profile create). It is generated from the
configuration structs, so it always names every key this build knows and
loads back to the defaults. Without -o it goes to stdout.`,
		Example: `  xcp config init -o xcp.toml
  xcp config init | less`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return writeOut(f, out, config.Template(), force)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of stdout")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing file")
	return cmd
}

func newConvertCmd(f *cmdutil.Factory) *cobra.Command {
	var out string
	var force, keepIDs, strict bool
	cmd := &cobra.Command{
		Use:   "convert FILE [-o OUT]",
		Short: "Convert a pyXCP configuration (.toml/.json legacy or .py traitlets) to xcp TOML",
		Long: `Convert a pyXCP configuration to an xcp TOML file (pyXCP: xcp-profile convert).

FILE is a legacy pyXCP TOML or JSON file (sections [XCP], [ETH], [CAN],
[SXI], [USB] or flat, keys like TRANSPORT, HOST, PORT, PROTOCOL,
CAN_ID_MASTER, SEED_N_KEY_DLL) or a traitlets .py file (lines like
c.Transport.Eth.host = "localhost"). Every setting without an xcp
equivalent and every line that is not understood is listed with its line
number on stderr and as a comment in the output; nothing is dropped
silently. --strict makes that an error.

Like pyXCP's converter, legacy CAN_ID_MASTER becomes can_id_slave and
CAN_ID_SLAVE can_id_master (legacy pyXCP sent commands on CAN_ID_SLAVE,
pyXCP issue #130); --keep-can-ids copies them unchanged.`,
		Example: `  xcp config convert pyxcp_conf.py -o xcp.toml
  xcp config convert legacy.toml`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.UsageErrorf("%s needs one argument FILE, got %d", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			name := filepath.Base(args[0])
			c, err := pyxcp.Convert(name, data, pyxcp.Options{KeepCANIDs: keepIDs})
			if err != nil {
				return err
			}
			text, err := c.TOML()
			if err != nil {
				return err
			}
			for _, n := range c.Notes {
				fmt.Fprintf(f.IO.ErrOut, "note: %s\n", n)
			}
			for _, p := range c.Problems {
				fmt.Fprintf(f.IO.ErrOut, "not converted: %s\n", p)
			}
			if strict && len(c.Problems) > 0 {
				return fmt.Errorf("%d setting(s) of %s could not be converted (--strict)", len(c.Problems), name)
			}
			return writeOut(f, out, text, force)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` instead of stdout")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing file")
	cmd.Flags().BoolVar(&keepIDs, "keep-can-ids", false, "copy legacy CAN_ID_MASTER/CAN_ID_SLAVE unchanged instead of swapping them like pyXCP")
	cmd.Flags().BoolVar(&strict, "strict", false, "fail when anything could not be converted")
	return cmd
}

// Origin is one effective setting with its source.
type Origin struct {
	Key    string `json:"key"`
	Value  any    `json:"value"`
	Source string `json:"source"` // default, the file name, env XCP_LOGLEVEL, flag, a2l FILE
}

func newShowCmd(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration and where each setting came from",
		Long: `Print every setting as the other commands would use it: the defaults, then
the configuration file (--config, $XCP_CONFIG, ./xcp.toml, <user config
dir>/goxcp/xcp.toml), then $XCP_LOGLEVEL, then the global flags, then the
IF_DATA XCP of --a2l. The source column names the last of these that set
the value.`,
		Example: `  xcp config show
  xcp --config bench.toml --host 10.0.0.2 config show --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			origins, file, err := Show(f)
			if err != nil {
				return err
			}
			p := f.Printer(asJSON)
			if p.JSON() {
				return p.PrintJSON(struct {
					File     string   `json:"file"`
					Settings []Origin `json:"settings"`
				}{file, origins})
			}
			title := "no configuration file (defaults)"
			if file != "" {
				title = "configuration file " + file
			}
			t := cmdutil.Table{Title: title, Header: []string{"key", "value", "source"}}
			for _, o := range origins {
				t.Add(o.Key, config.FormatValue(o.Value), o.Source)
			}
			return p.Tables(t)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// Show returns the effective settings of f with their sources, and the
// configuration file used ("" = none). Each stage is loaded like
// Factory.Config does; a setting's source is the last stage that changed
// it (the file also counts for keys it sets to the default value).
func Show(f *cmdutil.Factory) ([]Origin, string, error) {
	final, err := f.Config()
	if err != nil {
		return nil, "", err
	}
	getenv := f.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	noLevel := func(k string) string {
		if k == "XCP_LOGLEVEL" {
			return ""
		}
		return getenv(k)
	}
	stage := func(g cmdutil.GlobalOptions, env func(string) string, changed func(string) bool) (*config.Config, error) {
		sf := cmdutil.New(f.IO)
		sf.Global, sf.Getenv, sf.Changed = g, env, changed
		return sf.Config()
	}
	fileOnly := cmdutil.GlobalOptions{ConfigFile: f.Global.ConfigFile}
	noA2L := f.Global
	noA2L.A2L = cmdutil.A2LOptions{}
	stages := []struct {
		name string
		load func() (*config.Config, error)
	}{
		{"file", func() (*config.Config, error) { return stage(fileOnly, noLevel, nil) }},
		{"env XCP_LOGLEVEL", func() (*config.Config, error) { return stage(fileOnly, getenv, nil) }},
		{"flag", func() (*config.Config, error) { return stage(noA2L, getenv, f.Changed) }},
		{"a2l " + f.Global.A2L.File, func() (*config.Config, error) { return final, nil }},
	}
	path := final.File
	layers := make([]config.Layer, 0, len(stages))
	for _, st := range stages {
		c, err := st.load()
		if err != nil {
			return nil, "", err
		}
		l := config.Layer{Name: st.name, Config: c}
		if st.name == "file" {
			l.Name = path
			if path != "" {
				data, err := os.ReadFile(path)
				if err != nil {
					return nil, "", err
				}
				if l.Keys, err = config.FileKeys(data); err != nil {
					return nil, "", err
				}
			}
		}
		layers = append(layers, l)
	}
	source := config.Sources(layers)
	eff := map[string]Origin{}
	for k, e := range connect.EffectiveSettings(final) {
		from := e.From
		switch from {
		case "transport.timeout":
			from = "transport.timeout (" + source[from] + ")"
		case k:
			from = source[k]
		}
		eff[k] = Origin{Key: k, Value: e.Value, Source: from}
	}
	var out []Origin
	for _, s := range config.Settings(final) {
		v := s.Value
		src := source[s.Key]
		if e, ok := eff[s.Key]; ok {
			v, src = e.Value, e.Source
		}
		if d, ok := v.(time.Duration); ok {
			v = d.String()
		}
		out = append(out, Origin{Key: s.Key, Value: v, Source: src})
	}
	if i := slices.IndexFunc(out, func(o Origin) bool { return o.Source == "" }); i >= 0 {
		return nil, "", fmt.Errorf("config show: no source for %s", out[i].Key)
	}
	return out, path, nil
}
