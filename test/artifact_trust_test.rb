# frozen_string_literal: true

require_relative "test_helper"
require "json"
require "open3"
require "rbconfig"
require "tmpdir"

# The extension loads only the artifact it was built with: the hash is
# compiled in, so swapping the artifact, or the artifact and its manifest
# together, is refused with an ArtifactError naming the file and the fix.
class ArtifactTrustTest < Minitest::Test
  LIB = File.expand_path("../lib", __dir__)

  def setup
    @dir = Dir.mktmpdir("kobako-artifacts")
    FileUtils.cp_r(Dir[File.join(Kobako.artifacts_dir, "*")], @dir)
    @manifest = JSON.parse(File.read(File.join(@dir, "manifest.json")))
    @entry = @manifest["artifacts"].find { |a| a["target"] == "#{RbConfig::CONFIG['host_cpu']}-unknown-linux-gnu" }
    @wasmu = File.join(@dir, @entry["file"])
  end

  def teardown
    FileUtils.rm_rf(@dir)
  end

  # The first Sandbox.new of a fresh process on this artifacts directory.
  def first_sandbox
    script = "begin; Kobako::Sandbox.new.eval('1'); print 'loaded'; " \
             "rescue Kobako::ArtifactError => e; print e.message; end"
    out, status = Open3.capture2({ "KOBAKO_ARTIFACTS_DIR" => @dir }, RbConfig.ruby, "-I#{LIB}", "-rkobako",
                                 "-e", script)
    assert_predicate status, :success?
    out
  end

  def test_the_shipped_artifact_loads
    assert_equal "loaded", first_sandbox
  end

  def test_a_swapped_artifact_is_refused
    File.binwrite(@wasmu, File.binread(@wasmu).reverse)
    assert_match(/#{Regexp.escape(@wasmu)} does not match the checksum.*reinstall kobako/, first_sandbox)
  end

  def test_a_truncated_artifact_is_refused
    File.truncate(@wasmu, File.size(@wasmu) / 2)
    assert_match(/does not match the checksum/, first_sandbox)
  end

  def test_a_swapped_artifact_with_a_matching_manifest_is_refused
    File.binwrite(@wasmu, "#{File.binread(@wasmu)}\0")
    # A forger's manifest would carry the new file's real hash; the pinned
    # hash is checked first, so any hash but the pinned one is the same test.
    @entry["blake3"] = "0" * 64
    File.write(File.join(@dir, "manifest.json"), JSON.pretty_generate(@manifest))
    assert_match(/is not the artifact this extension was built with.*reinstall kobako/, first_sandbox)
  end
end
