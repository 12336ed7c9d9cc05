# Two commands on a fresh clone:
#   make test   create .venv with the pinned course environment and run every test
#   make demo   release every assignment, grade the example submissions, write feedback and grades.csv
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

DEMO   := build/demo-course
COURSE := $(CURDIR)/$(VENV)/bin/course

.PHONY: test demo bench clean lab formgrader jupyter-config browser-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP) browser-deps jupyter-config
	$(PY) -m pytest -n 2 --dist loadgroup

# The instructor's whole workflow on a scratch copy of the course (never the committed autograder/):
# release -> an LMS-style zip of the example submissions -> collect -> grade -> feedback -> export.
# No network and no server: kernels run locally, one worker per core.
demo: $(STAMP)
	rm -rf $(DEMO)
	mkdir -p $(DEMO)
	cp autograder/nbgrader_config.py $(DEMO)/
	cp -R autograder/source $(DEMO)/source
	cd $(DEMO) && $(COURSE) release
	cd $(DEMO) && $(COURSE) examples downloads --zip lms-download.zip
	cd $(DEMO) && $(COURSE) collect lms-download.zip
	cd $(DEMO) && $(COURSE) grade $$(ls source)
	cd $(DEMO) && $(COURSE) examples --compare
	cd $(DEMO) && $(COURSE) feedback > feedback.txt && tail -n 1 feedback.txt
	cd $(DEMO) && $(COURSE) export --output grades.csv
	@echo
	@echo "feedback (HTML, one per student and assignment): $(CURDIR)/$(DEMO)/feedback/<student>/<assignment>/"
	@echo "grades for the LMS:                              $(CURDIR)/$(DEMO)/grades.csv"

bench: $(STAMP)
	$(PY) benchmarks/bench_references.py

clean:
	rm -rf $(VENV) .pytest_cache $(DEMO)

# --- In the browser ----------------------------------------------------------------------------
#   make lab          students: JupyterLab on notebooks/, with nbgrader's Validate button
#   make formgrader   instructors: JupyterLab on autograder/, with nbgrader's formgrader
# LAB_ARGS go to JupyterLab (e.g. LAB_ARGS="--no-browser --port=8890"); LAB_DIR and COURSE_DIR
# choose other folders. Each role has its own Jupyter config directory under .venv/jupyter/, made
# with nbgrader's documented per-user commands and JUPYTER_CONFIG_DIR pointing there, so ~/.jupyter
# is neither read nor written; JUPYTER_DATA_DIR keeps kernels and runtime files in .venv too.
LAB_DIR    ?= notebooks
COURSE_DIR ?= autograder
LAB_ARGS   ?=
JUPYTER_HOME := $(CURDIR)/$(VENV)/jupyter
# nbgrader's extensions each role goes without. assignment-list and course-list work with an
# nbgrader exchange (JupyterHub), which this course does not use; create-assignment edits masters.
student_off    := formgrader create-assignment assignment-list course-list
instructor_off := assignment-list course-list
# Jupyter refuses to run as root unless told (containers, CI).
as_root := $(if $(filter 0,$(shell id -u)),--allow-root)
jupyter_env = JUPYTER_CONFIG_DIR=$(JUPYTER_HOME)/$(1) JUPYTER_DATA_DIR=$(JUPYTER_HOME)/data JUPYTER_PREFER_ENV_PATH=0

# A role's config: its nbgrader labextensions disabled and locked (nbgrader's docs, "Disabling
# extensions", at --level=user); its nbgrader server extensions disabled in the file that
# `jupyter server extension disable --user` would write (that command refuses extensions enabled at
# the environment level, as nbgrader's are); no "fetch Jupyter news?" prompt; and nbgrader's
# Execute with jupyter_client's blocking kernel client. Validate and the formgrader run notebooks
# inside the Jupyter server, whose event loop is running: there the asynchronous client now and then
# misses the kernel's execute_reply and waits forever (3 validations of 8 hung), the blocking one not.
$(JUPYTER_HOME)/%/ready: $(STAMP) Makefile
	mkdir -p $(@D)/labconfig $(@D)/jupyter_server_config.d
	rm -f $(@D)/labconfig/page_config.json
	$(call jupyter_env,$*) jupyter labextension disable --level=user $(addprefix @jupyter/nbgrader:,$($*_off))
	$(call jupyter_env,$*) jupyter labextension lock --level=user $(addprefix @jupyter/nbgrader:,$($*_off))
	$(PY) -c 'import json, sys; print(json.dumps({"ServerApp": {"jpserver_extensions": {f"nbgrader.server_extensions.{name}": False for name in sys.argv[1:]}}}, indent=2))' \
	    $(subst -,_,$(filter-out create-assignment,$($*_off))) > $(@D)/jupyter_server_config.d/nbgrader.json
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	    > $(@D)/labconfig/default_setting_overrides.json
	echo '{"Execute": {"kernel_manager_class": "jupyter_client.manager.KernelManager"}}' > $(@D)/nbgrader_config.json
	touch $@

jupyter-config: $(JUPYTER_HOME)/student/ready $(JUPYTER_HOME)/instructor/ready

# Validate runs with the course's nbgrader settings (the cell timeout of autograder/nbgrader_config.py).
lab: $(JUPYTER_HOME)/student/ready
	cd $(LAB_DIR) && $(call jupyter_env,student) JUPYTER_CONFIG_PATH=$(abspath $(COURSE_DIR)) \
	    exec jupyter lab $(as_root) $(LAB_ARGS)

formgrader: $(JUPYTER_HOME)/instructor/ready
	cd $(COURSE_DIR) && $(call jupyter_env,instructor) exec jupyter lab $(as_root) $(LAB_ARGS)

# The browser tests (tests/browser/) drive Chromium through Playwright, which downloads no browser.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
browser-deps:
	@if command -v $(CHROMIUM) >/dev/null 2>&1; then exit 0; \
	elif [ "$$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
	    echo "The browser tests need Chromium at $(CHROMIUM), which is missing. Install it (Debian or" \
	         "Ubuntu: sudo apt-get install chromium) or name another Chromium or Chrome binary:" \
	         "make test CHROMIUM=/path/to/chrome" >&2; \
	    exit 1; \
	fi
