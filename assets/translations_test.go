package assets

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// langFuncs are the functions of fyne.io/fyne/v2/lang whose first argument
// is a translation key.
var langFuncs = map[string]bool{
	"L": true, "Localize": true, "N": true, "LocalizePlural": true,
	"X": true, "LocalizeKey": true, "XN": true, "LocalizePluralKey": true,
}

// Every key the code passes to lang as a literal is in every language file:
// a missing one would show English to Korean users without a word.
func TestTranslationKeysInCode(t *testing.T) {
	langs := loadTranslations(t)
	keys := keysInCode(t, "..")
	if len(keys) == 0 {
		t.Fatal("found no lang calls in the code; is the walk looking in the right place?")
	}
	for _, k := range keys {
		for name, m := range langs {
			if _, ok := m[k.key]; !ok {
				t.Errorf("%s: %s misses %q", k.pos, name, k.key)
			}
		}
	}
}

// Every translation keeps the placeholders ({{.Name}}) of its key, so no
// language loses a name or an error the others show.
func TestTranslationPlaceholders(t *testing.T) {
	for name, m := range loadTranslations(t) {
		for k, v := range m {
			if want, got := placeholders(k), placeholders(v); !slices.Equal(want, got) {
				t.Errorf("%s: %q has placeholders %v, want %v", name, v, got, want)
			}
		}
	}
}

var placeholderRE = regexp.MustCompile(`{{\s*\.\w+\s*}}`)

func placeholders(s string) []string {
	p := placeholderRE.FindAllString(strings.ReplaceAll(s, " ", ""), -1)
	slices.Sort(p)
	return slices.Compact(p)
}

func loadTranslations(t *testing.T) map[string]map[string]string {
	t.Helper()
	entries, err := fs.ReadDir(Translations, "translations")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for _, e := range entries {
		b, err := Translations.ReadFile("translations/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out[e.Name()] = m
	}
	if len(out) < 2 {
		t.Fatalf("found %d language files, want en.json and ko.json at least", len(out))
	}
	return out
}

type keyUse struct {
	key string
	pos token.Position
}

// keysInCode returns the literal keys of lang calls in the non-test Go
// files under root.
func keysInCode(t *testing.T, root string) []keyUse {
	t.Helper()
	var out []keyUse
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := langImportName(f)
		if pkg == "" {
			return nil
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !langFuncs[sel.Sel.Name] {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != pkg {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true // not a literal: nothing to check here
			}
			key, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Errorf("%s: %v", fset.Position(lit.Pos()), err)
				return true
			}
			out = append(out, keyUse{key: key, pos: fset.Position(lit.Pos())})
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// langImportName is the name fyne's lang package has in f; "" when f does
// not import it.
func langImportName(f *ast.File) string {
	for _, imp := range f.Imports {
		if imp.Path.Value != `"fyne.io/fyne/v2/lang"` {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return "lang"
	}
	return ""
}
