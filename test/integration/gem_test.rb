# frozen_string_literal: true

require_relative "../test_helper"
require_relative "../../tasks/gem_builder"
require "open3"
require "rbconfig"
require "tmpdir"

# The prebuilt platform gem, as a user meets it: installed with
# `gem install --local` into an empty GEM_HOME on a PATH without cargo, cc
# or clang, and used from outside this repository.
class GemTest < Minitest::Test
  SMOKE = File.read(File.expand_path("../support/gem_smoke.rb", __dir__))

  # Installs +gem+ with +env+ and runs the smoke script from +dir+, outside
  # this repository.
  def install_and_smoke(gem, env, dir)
    _, err, status = Open3.capture3(env, "gem", "install", "--local", "--no-document", gem, chdir: dir)
    assert_predicate status, :success?, err
    out, err, status = Open3.capture3(env, "ruby", "-e", SMOKE, chdir: dir)
    assert_predicate status, :success?, out + err
  end

  # A directory for PATH holding only +tools+ (links to this machine's).
  def bin_with(dir, tools)
    bin = File.join(dir, "bin")
    FileUtils.mkdir_p(bin)
    tools.each { |tool| File.symlink(which(tool), File.join(bin, tool)) }
    bin
  end

  def which(tool, path = ENV.fetch("PATH"))
    path.split(File::PATH_SEPARATOR).map { |dir| File.join(dir, tool) }.find { |file| File.executable?(file) }
  end

  def test_the_platform_gem_installs_and_runs_without_a_toolchain
    Dir.mktmpdir("kobako-gem-test") do |dir|
      platform = "#{RbConfig::CONFIG['host_cpu']}-linux"
      gem = GemBuilder.platform_gem(platform:, triple: "#{RbConfig::CONFIG['host_cpu']}-unknown-linux-gnu",
                                    extension: File.expand_path("../../lib/kobako/kobako.so", __dir__),
                                    out_dir: dir)
      assert_equal "kobako-#{Kobako::VERSION}-#{platform}.gem", File.basename(gem)

      bin = bin_with(dir, %w[ruby gem env sh])
      home = File.join(dir, "gems")
      env = { "PATH" => bin, "GEM_HOME" => home, "GEM_PATH" => home, "HOME" => dir, "RUBYOPT" => nil,
              "KOBAKO_ARTIFACTS_DIR" => nil }
      %w[cargo cc clang].each { |tool| assert_nil which(tool, bin), tool }
      install_and_smoke(gem, env, dir)

      out, _, status = Open3.capture3(env, File.join(home, "bin", "kobako"), "-e", "puts 6 * 7", chdir: dir)
      assert_equal ["42\n=> nil\n", 0], [out, status.exitstatus]
    end
  end

  # The source gem builds its extension with cargo; the build shares this
  # checkout's cargo target directory, so only kobako's own crates compile.
  def test_the_source_gem_builds_with_cargo_and_runs
    Dir.mktmpdir("kobako-gem-test") do |dir|
      gem = GemBuilder.source_gem(dir)
      home = File.join(dir, "gems")
      env = { "GEM_HOME" => home, "GEM_PATH" => home, "RUBYOPT" => nil, "KOBAKO_ARTIFACTS_DIR" => nil,
              "CARGO_TARGET_DIR" => File.expand_path("../../target", __dir__) }
      install_and_smoke(gem, env, dir)

      # The build also compiled lib/kobako/ to bytecode where the gem lives.
      out, err, = Open3.capture3(env, "ruby", "-e", 'require "kobako"; print Kobako::Bytecode.loaded.include?("sandbox")',
                                 chdir: dir)
      assert_equal "true", out, err
    end
  end

  def test_the_source_gem_without_rust_names_the_platform_gem
    Dir.mktmpdir("kobako-gem-test") do |dir|
      gem = GemBuilder.source_gem(dir)
      bin = bin_with(dir, %w[ruby gem env sh make])
      env = { "PATH" => bin, "GEM_HOME" => File.join(dir, "gems"), "HOME" => dir, "RUBYOPT" => nil,
              "CARGO" => nil }
      out, err, status = Open3.capture3(env, "gem", "install", "--local", "--no-document", gem, chdir: dir)
      refute_predicate status, :success?
      assert_match(/needs Rust.*gem install kobako --platform #{RbConfig::CONFIG['host_cpu']}-linux/m, out + err)
    end
  end
end
