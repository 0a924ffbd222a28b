# Two entry points: `make demo` and `make test`. Everything else is their plumbing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages only where PyPI has nothing that serves: ffmpeg with ffprobe and
# libass, a CJK font for burned-in subtitles, and Chromium for the browser test.
DEBIAN_PACKAGES := ffmpeg fonts-noto-cjk chromium
SAMPLE := samples/demo_guide.mp4
DEMO_WORK := demo-work

.PHONY: demo test system-packages venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: system-packages $(STAMP)
	$(PY) -m pytest

demo: system-packages $(STAMP)
	$(VENV)/bin/studio demo $(SAMPLE) --work $(DEMO_WORK)

clean:
	rm -rf $(VENV) $(DEMO_WORK) instance .pytest_cache
