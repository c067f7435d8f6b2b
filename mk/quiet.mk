# mk/quiet.mk - quiet builds, shared by the top Makefile and every part's .mk
#
# $(Q) in front of a command hides it, $(call msg,TAG,what) prints one line
# instead; V=1 shows the commands and drops the lines.  Each .mk includes this
# file (paths from the repository root), so that it also works alone
# (make -f grader/grader.mk grader-test); the guard makes a second include a
# no-op.
ifndef QUIET_MK_INCLUDED
QUIET_MK_INCLUDED := 1
ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)'
endif
endif
