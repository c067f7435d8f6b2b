# po/harness/harness.mk - the harness's message catalogues (GNU gettext)
#
# The messages the tests write (a failed test's "got:" line, the phase a
# crash or a timeout names, the hints) are the harness's, not the grader's:
# their own domain, westworld-harness, their own template
# po/harness/westworld-harness.pot (xgettext of grader/harness/*.c),
# translated by po/harness/LANG.po (a folder of their own: po/*.po are the
# grader's, which the student kit lists), compiled into
# $(BUILD)/locale/LANG/LC_MESSAGES/westworld-harness.mo beside the grader's.
# The grader passes its language and that folder to the harness (--lang,
# --localedir: grader/sandbox.c) and shows the folder to the tests' jail.
#
# The keywords are the harness's message makers (harness.h): the format of
# ww_fail, ww_fail_leak (2nd argument), EXPECT (3rd), ww_phase, ww_hint, H_,
# HN_ (1st), each a printf format that msgfmt --check holds the
# translation to.  Included by po/po.mk: po-update and po-check cover it.

HPO_DOMAIN := westworld-harness
HPO_POT    := po/harness/$(HPO_DOMAIN).pot
HPO_FILES  := $(patsubst %,po/harness/%.po,$(PO_LANGS))
HLOCALE_MO := $(patsubst %,$(BUILD)/locale/%/LC_MESSAGES/$(HPO_DOMAIN).mo,$(PO_LANGS))
HPO_SOURCES = $(sort $(wildcard grader/harness/*.c))
HXGETTEXT_FLAGS := --language=C --from-code=UTF-8 --keyword \
                   --keyword=ww_fail:2 --flag=ww_fail:2:c-format \
                   --keyword=ww_fail_leak:2 --flag=ww_fail_leak:2:c-format \
                   --keyword=EXPECT:3 --flag=EXPECT:3:c-format \
                   --keyword=ww_phase:1 --flag=ww_phase:1:c-format \
                   --keyword=ww_hint:1 --flag=ww_hint:1:c-format \
                   --keyword=H_:1 --flag=H_:1:c-format \
                   --keyword=HN_:1 --flag=HN_:1:c-format \
                   --add-comments=TRANSLATORS: --add-location=file --sort-output \
                   --package-name=$(HPO_DOMAIN) --msgid-bugs-address=westworld-team \
                   --copyright-holder= --foreign-user

bin/grader: | $(HLOCALE_MO)

$(BUILD)/locale/%/LC_MESSAGES/$(HPO_DOMAIN).mo: po/harness/%.po
	$(call msg,MSGFMT,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)msgfmt --check -o $@ $<
