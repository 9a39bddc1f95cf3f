// Netlify starts every build from a fresh checkout: without this plugin, every deploy of
// the site would be a clean build. The build cache (.alagen-cache/build.state and its parts)
// and the last build (build/) are saved after a build and put back before the next; alagen
// recognises the restored files by their bytes, not their dates, so a restored cache is
// used even though the checkout gave every file a new time. The spare copy of the output
// that alagen keeps for quick local rebuilds (build.spare) is left out: it is a second
// build/, which a restored build/ makes useless. utils.cache.restore does nothing for a
// path that is already there or was never saved; utils.cache.save nothing for one missing.
const PATHS = [
  ".alagen-cache/build.state",
  ".alagen-cache/build.parts",
  ".alagen-cache/images",
  "build",
];

// Netlify refuses a plugin that exports anything but event handlers: PATHS stays private.
module.exports = {
  async onPreBuild({ utils }) {
    await utils.cache.restore(PATHS);
  },
  async onPostBuild({ utils }) {
    // Runs only when `alagen build` succeeded: a failed build never becomes the next one's start.
    await utils.cache.save(PATHS);
  },
};
