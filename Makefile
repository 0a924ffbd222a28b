# Two entry points: `make demo` and `make test`. Everything else is their plumbing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages only where PyPI has nothing that serves: ffmpeg with ffprobe and
# libass, a CJK font for burned-in subtitles, Chromium for the browser test, and the
# servers the tests start throwaway copies of (Redis, PostgreSQL, nginx).
DEBIAN_PACKAGES := ffmpeg fonts-noto-cjk chromium redis-server postgresql nginx libnginx-mod-rtmp espeak-ng
STUDIO := $(VENV)/bin/studio
SAMPLE := samples/demo_guide.mp4
DEMO_WORK := demo-work
# The demo keeps its catalog and media library in ./instance (git-ignored).
export WULING_INSTANCE_PATH ?= instance

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

# Two runs, a summary each, failing if either fails: every test but the real-time live
# ones in two processes (pytest-xdist; a test file stays in one process), then the
# real-time ones (marked `realtime`: streams pushed at real speed to a live captioner
# that needs most of the machine) alone.
test: system-packages $(STAMP)
	status=0; \
	$(PY) -m pytest -m "not realtime" -n 2 --dist loadfile || status=$$?; \
	$(PY) -m pytest -m realtime || status=$$?; \
	exit $$status

# The main job on the bundled sample: recording -> subtitles -> plain-language track ->
# web/burned-in video, podcast audio, artwork -> catalog -> site (Ctrl-C stops it).
# A rerun resumes: finished stages are skipped.
demo: system-packages $(STAMP)
	$(STUDIO) run $(SAMPLE) --work $(DEMO_WORK) --kind guide --slug juzhuzheng \
	  --title "居住证怎么办：网上申请与容缺受理" --air-date 2026-11-20 --category 户籍 \
	  --summary "在外地户口、在本区居住满半年，就可以申请居住证。本期讲网上申请、材料不全怎么办、电子证照怎么用。" \
	  --guest "张敏:武陵区政务服务中心" --vertical
	$(STUDIO) publish $(DEMO_WORK) --replace --unreviewed
	@echo "Open http://127.0.0.1:8000/e/juzhuzheng (podcast feed: /feed/podcast.xml)"
	$(STUDIO) serve

clean:
	rm -rf $(VENV) $(DEMO_WORK) instance .pytest_cache
