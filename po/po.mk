# po/po.mk - the grader's message catalogues (GNU gettext)
#
# English is the source language (the msgids of grader/*.c, inside _() and
# N_()); po/fr.po translates them.  Included by grader/grader.mk, so that
# every build of bin/grader also compiles the catalogues it loads
# ($(BUILD)/locale/LANG/LC_MESSAGES/westworld-grader.mo, found beside the
# binary: grader/i18n.c).
#
#   make po-update   regenerate po/westworld-grader.pot with xgettext and
#                    merge it into each po/LANG.po (then translate what is
#                    new or fuzzy)
#   make po-check    part of make test: the .pot is what xgettext makes of
#                    the sources, every catalogue is complete (no untranslated
#                    or fuzzy message, msgcmp against the .pot), and a French
#                    and an English run of the same failing submission each
#                    speak one language (tools/po_languages.py)
#
# The harness's catalogues (its "got:" lines) are in po/harness/: harness.mk,
# included below; po-update and po-check cover them too.

PO_DOMAIN  := westworld-grader
PO_LANGS   := fr
PO_POT     := po/$(PO_DOMAIN).pot
PO_FILES   := $(patsubst %,po/%.po,$(PO_LANGS))
LOCALE_MO  := $(patsubst %,$(BUILD)/locale/%/LC_MESSAGES/$(PO_DOMAIN).mo,$(PO_LANGS))
PO_SOURCES  = $(sort $(wildcard grader/*.c))
XGETTEXT_FLAGS := --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
                  --add-comments=TRANSLATORS: --add-location=file --sort-output \
                  --package-name=westworld-grader --msgid-bugs-address=westworld-team \
                  --copyright-holder= --foreign-user

# Failing submissions whose reports show most of the messages: a crash in a
# trap test (fed, expected, trap, output, reproduce), a build failure (every
# test not run), norm violations.
PO_LANG_SUBMISSIONS := mutants/mutant_b_safety.c tests/grader/submissions/compile_error.c \
                       tests/grader/submissions/norm_open.c

.PHONY: po-update po-check
include po/harness/harness.mk
test: po-check
bin/grader: | $(LOCALE_MO)

$(BUILD)/locale/%/LC_MESSAGES/$(PO_DOMAIN).mo: po/%.po
	$(call msg,MSGFMT,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)msgfmt --check -o $@ $<

po-update:
	$(Q)xgettext $(XGETTEXT_FLAGS) -o $(PO_POT) $(PO_SOURCES)
	$(Q)for po in $(PO_FILES); do msgmerge --quiet --update --backup=none $$po $(PO_POT); done
	$(Q)xgettext $(HXGETTEXT_FLAGS) -o $(HPO_POT) $(HPO_SOURCES)
	$(Q)for po in $(HPO_FILES); do msgmerge --quiet --update --backup=none $$po $(HPO_POT); done

po-check: bin/grader $(LOCALE_MO) $(HLOCALE_MO)
	$(call msg,CHECK,$(PO_POT) $(PO_FILES) $(HPO_POT) $(HPO_FILES))
	$(Q)mkdir -p $(BUILD)/po
	$(Q)xgettext $(XGETTEXT_FLAGS) -o $(BUILD)/po/fresh.pot $(PO_SOURCES)
	$(Q)if ! diff -q -I '^"POT-Creation-Date:' $(PO_POT) $(BUILD)/po/fresh.pot >/dev/null; then \
		echo "po-check: $(PO_POT) is not what xgettext makes of grader/*.c (run: make po-update, then translate):"; \
		diff -I '^"POT-Creation-Date:' $(PO_POT) $(BUILD)/po/fresh.pot | head -30; exit 1; \
	fi
	$(Q)xgettext $(HXGETTEXT_FLAGS) -o $(BUILD)/po/fresh-harness.pot $(HPO_SOURCES)
	$(Q)if ! diff -q -I '^"POT-Creation-Date:' $(HPO_POT) $(BUILD)/po/fresh-harness.pot >/dev/null; then \
		echo "po-check: $(HPO_POT) is not what xgettext makes of grader/harness/*.c (run: make po-update, then translate):"; \
		diff -I '^"POT-Creation-Date:' $(HPO_POT) $(BUILD)/po/fresh-harness.pot | head -30; exit 1; \
	fi
	$(Q)set -e; for pair in $(foreach l,$(PO_LANGS),po/$(l).po:$(PO_POT) po/harness/$(l).po:$(HPO_POT)); do \
		po=$${pair%%:*}; pot=$${pair#*:}; \
		msgcmp $$po $$pot || { echo "po-check: $$po lacks messages of $$pot"; exit 1; }; \
		stats=$$(LC_ALL=C msgfmt --check --statistics -o /dev/null $$po 2>&1); \
		case "$$stats" in *untranslated*|*fuzzy*) \
			echo "po-check: $$po is not complete: $$stats"; exit 1;; esac; \
		echo "  $$po: $$stats"; \
	done
	$(Q)python3 tools/po_languages.py --harness-po po/harness/fr.po bin/grader spec.json po/fr.po $(PO_LANG_SUBMISSIONS)
