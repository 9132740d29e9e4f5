# frozen_string_literal: true

require_relative "test_helper"
require_relative "support/answers"
require_relative "corpus/everyday"

# SPEC's bar for the guest's Ruby: at least 90% of everyday snippets give
# CRuby's value and output. The corpus (test/corpus/everyday.rb) was written
# apart from the guest and checked only against CRuby, so this measures the
# guest rather than what it was tuned on. The snippets that still differ are
# printed with both answers.
class CorpusTest < Minitest::Test
  TARGET = 0.90

  def test_everyday_snippets_answer_as_in_cruby
    snippets = EverydayCorpus::SNIPPETS
    cruby = Answers.cruby(snippets)
    differing = snippets.reject { |source| Answers.guest(source) == cruby.fetch(source) }
    share = 1.0 - (differing.size.to_f / snippets.size)
    report = differing.map { |source| "#{source}=> CRuby: #{cruby[source].inspect}\n   guest: #{Answers.guest(source).inspect}" }
    assert_operator share, :>=, TARGET,
                    "#{snippets.size - differing.size} of #{snippets.size} match:\n#{report.join("\n")}"
  end
end
