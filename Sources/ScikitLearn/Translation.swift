/// Which pickled classes a model file may name, and how each estimator becomes a stage.
enum Translation {
    /// Estimators translated into stages, by class.
    static let estimators: Set<String> = [
        "sklearn.tree._classes.DecisionTreeClassifier", "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._classes.ExtraTreeClassifier", "sklearn.tree._classes.ExtraTreeRegressor",
        "sklearn.ensemble._forest.RandomForestClassifier", "sklearn.ensemble._forest.RandomForestRegressor",
        "sklearn.ensemble._forest.ExtraTreesClassifier", "sklearn.ensemble._forest.ExtraTreesRegressor",
        "sklearn.ensemble._iforest.IsolationForest",
        "sklearn.ensemble._gb.GradientBoostingClassifier", "sklearn.ensemble._gb.GradientBoostingRegressor",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingRegressor",
        "sklearn.linear_model._logistic.LogisticRegression", "sklearn.linear_model._base.LinearRegression",
        "sklearn.linear_model._ridge.Ridge", "sklearn.linear_model._coordinate_descent.Lasso",
        "sklearn.linear_model._coordinate_descent.ElasticNet",
        "sklearn.linear_model._stochastic_gradient.SGDClassifier", "sklearn.svm._classes.LinearSVC",
        "sklearn.preprocessing._data.StandardScaler", "sklearn.preprocessing._data.MinMaxScaler",
        "sklearn.preprocessing._data.RobustScaler", "sklearn.impute._base.SimpleImputer", "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._encoders.OneHotEncoder", "sklearn.compose._column_transformer.ColumnTransformer",
        // Column selections by slice, and the identity FunctionTransformer scikit-learn uses for passthrough columns
        // (one naming a function is refused by name).
        "builtins.slice", "sklearn.preprocessing._function_transformer.FunctionTransformer",
    ]

    /// Names that appear inside those estimators' state and are read as data (never called): trees, numpy scalars and
    /// random states, SGD's loss objects.
    static let parts: Set<String> = [
        "sklearn.tree._tree.Tree", "numpy.float64", "numpy.int64", "numpy.random._pickle.__randomstate_ctor",
        "numpy.random._pickle.__bit_generator_ctor", "numpy.random._pickle.__generator_ctor",
        "numpy.random._mt19937.MT19937", "numpy.random._pcg64.PCG64", "numpy.random.bit_generator.SeedSequence",
        "numpy.random.bit_generator.__pyx_unpickle_SeedSequence", "numpy.core.numeric._frombuffer",
        "numpy._core.numeric._frombuffer", "sklearn.linear_model._sgd_fast.Hinge",
        "sklearn.linear_model._sgd_fast.Log", "sklearn.linear_model._sgd_fast.ModifiedHuber",
        "sklearn.linear_model._sgd_fast.SquaredHinge",
        // Boosting: the initial estimators, histogram predictors and binning, and the loss objects (whose state is
        // never read: the estimator's `loss` parameter says which it is).
        "sklearn.dummy.DummyClassifier", "sklearn.dummy.DummyRegressor",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper", "sklearn.preprocessing._label.LabelEncoder",
        "sklearn._loss.loss.HalfBinomialLoss", "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.HalfSquaredError", "sklearn._loss.loss.AbsoluteError", "sklearn._loss.loss.PinballLoss",
        "sklearn._loss.loss.HuberLoss", "sklearn._loss.loss.HalfPoissonLoss", "sklearn._loss.loss.HalfGammaLoss",
        "sklearn._loss.loss.ExponentialLoss", "sklearn._loss.link.IdentityLink", "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.LogLink", "sklearn._loss.link.MultinomialLogit", "sklearn._loss.link.HalfLogitLink",
        "sklearn._loss.link.Interval", "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn._loss._loss.CyHalfMultinomialLoss", "sklearn._loss._loss.CyHalfSquaredError",
        "sklearn._loss._loss.CyAbsoluteError", "sklearn._loss._loss.CyPinballLoss", "sklearn._loss._loss.CyHuberLoss",
        "sklearn._loss._loss.CyHalfPoissonLoss", "sklearn._loss._loss.CyHalfGammaLoss",
        "sklearn._loss._loss.CyExponentialLoss", "sklearn._loss._loss.__pyx_unpickle_CyHalfMultinomialLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfSquaredError", "sklearn._loss._loss.__pyx_unpickle_CyHalfBinomialLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyAbsoluteError", "sklearn._loss._loss.__pyx_unpickle_CyPinballLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHuberLoss", "sklearn._loss._loss.__pyx_unpickle_CyHalfPoissonLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfGammaLoss",
        "sklearn.ensemble._gb_losses.BinomialDeviance", "sklearn.ensemble._gb_losses.MultinomialDeviance",
        "sklearn.ensemble._gb_losses.LeastSquaresError", "sklearn.ensemble._gb_losses.LeastAbsoluteError",
        "sklearn.ensemble._gb_losses.HuberLossFunction", "sklearn.ensemble._gb_losses.QuantileLossFunction",
        "sklearn.ensemble._gb_losses.ExponentialLoss",
    ]

    static let allowed = estimators.union(parts)

    /// The stages of a file's root object: a `Pipeline`'s steps, or one estimator.
    static func pipeline(_ root: PickleNode, versions: inout Set<String>) throws(StateError) -> ([any TransformStage], any PredictStage) {
        let state = try EstimatorState(root)
        if let version = state.string("_sklearn_version") { versions.insert(version) }
        guard state.name == "Pipeline" else { return ([], try final(state)) }
        var estimators = try steps(state)
        for inner in estimators { if let version = inner.string("_sklearn_version") { versions.insert(version) } }
        guard let last = estimators.popLast() else { throw StateError("the Pipeline has only passthrough steps") }
        let transforms = try estimators.enumerated().map { (index, step) throws(StateError) -> any TransformStage in
            guard let stage = try transform(step, columns: index == 0) else {
                throw StateError("\(step.name) is not supported as a Pipeline step before the last (it is not a transformer this server reads)")
            }
            return stage
        }
        return (transforms, try final(last))
    }

    /// A Pipeline's estimators in order, passthrough steps left out.
    static func steps(_ state: EstimatorState) throws(StateError) -> [EstimatorState] {
        guard let steps = try state.value("steps").items, !steps.isEmpty else { throw StateError("Pipeline.steps is empty") }
        var estimators: [EstimatorState] = []
        for step in steps {
            guard let pair = step.items, pair.count == 2 else { throw StateError("a Pipeline step that is not (name, estimator)") }
            switch pair[1].kind {
            case .none, .string("passthrough"): continue
            default: estimators.append(try EstimatorState(pair[1]))
            }
        }
        return estimators
    }

    /// A transformer's stage; `nil` for an estimator that is not one. `columns` allows the column-typed steps
    /// (which only come first).
    static func transform(_ state: EstimatorState, columns: Bool = false) throws(StateError) -> (any TransformStage)? {
        switch state.name {
        case "StandardScaler", "MinMaxScaler", "RobustScaler": try ColumnScaler(state)
        case "SimpleImputer": try ImputerStage(state)
        case "OneHotEncoder" where columns: try OneHotEncoderStage(state)
        case "ColumnTransformer" where columns: try ColumnTransformerStage(state)
        default: nil
        }
    }

    static func final(_ state: EstimatorState) throws(StateError) -> any PredictStage {
        if let transform = try transform(state, columns: true) { return TransformOnlyStage(stage: transform) }
        switch state.name {
        case "DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier", "ExtraTreeRegressor",
            "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor":
            return try ForestStage(state)
        case "IsolationForest": return try IsolationForestStage(state)
        case "GradientBoostingClassifier", "GradientBoostingRegressor": return try GradientBoostingStage(state)
        case "HistGradientBoostingClassifier", "HistGradientBoostingRegressor": return try HistGradientBoostingStage(state)
        case "LinearRegression", "Ridge", "Lasso", "ElasticNet": return try LinearRegressorStage(state)
        case "LogisticRegression", "SGDClassifier", "LinearSVC": return try LinearClassifierStage(state)
        case "Pipeline": throw StateError("a Pipeline nested in a Pipeline is not supported")
        default: throw StateError("\(state.qualified) is not an estimator this server reads")
        }
    }
}
