# frozen_string_literal: true

require "fileutils"
require "rubygems/package"
require "tmpdir"

# Builds kobako's gems from this checkout: the source gem as kobako.gemspec
# says, and platform gems that carry a prebuilt extension instead of the
# Rust sources (used by the Rakefile and by test/integration/gem_test.rb).
module GemBuilder
  ROOT = File.expand_path("..", __dir__)
  # The files a platform gem leaves out: it builds nothing.
  BUILD_FILES = %r{\A(Cargo\.(toml|lock)|ext/|engine/)}

  module_function

  # A copy: RubyGems caches loaded specs, and a platform gem changes its own.
  def spec = Gem::Specification.load(File.join(ROOT, "kobako.gemspec")).dup

  # @return [String] the path of pkg/kobako-VERSION.gem
  def source_gem(out_dir = File.join(ROOT, "pkg"))
    package(spec, out_dir)
  end

  # A gem for +platform+ (e.g. "x86_64-linux") whose extension is
  # +extension+, built for this Ruby's minor version; it ships only the
  # artifact for +triple+.
  # @return [String] the path of pkg/kobako-VERSION-PLATFORM.gem
  def platform_gem(platform:, triple:, extension:, out_dir: File.join(ROOT, "pkg"))
    spec, native = platform_spec(platform, triple)
    Dir.mktmpdir("kobako-gem") do |stage|
      spec.files.each do |file|
        FileUtils.mkdir_p(File.join(stage, File.dirname(file)))
        FileUtils.cp(file == native ? extension : File.join(ROOT, file), File.join(stage, file))
      end
      package(spec, out_dir, stage)
    end
  end

  # The source gem's spec, made into a platform gem's: no extension to
  # build, no Rust sources, one artifact, and the prebuilt extension where
  # lib/kobako.rb looks for it first.
  def platform_spec(platform, triple)
    spec = self.spec
    minor = RUBY_VERSION[/\A\d+\.\d+/]
    native = "lib/kobako/#{minor}/kobako.#{RbConfig::CONFIG['DLEXT']}"
    spec.platform = Gem::Platform.new(platform)
    spec.extensions = []
    spec.required_ruby_version = "~> #{minor}.0"
    other_artifacts = ->(file) { file.end_with?(".wasmu") && !file.include?(triple) }
    spec.files = spec.files.grep_v(BUILD_FILES).reject(&other_artifacts) + [native]
    [spec, native]
  end

  def package(spec, out_dir, dir = ROOT)
    FileUtils.mkdir_p(out_dir)
    built = Gem::DefaultUserInteraction.use_ui(Gem::SilentUI.new) { Dir.chdir(dir) { Gem::Package.build(spec) } }
    FileUtils.mv(File.join(dir, built), File.join(out_dir, built))
    File.join(out_dir, built)
  end
end
